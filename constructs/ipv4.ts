/** IPv4 syntax, checked one way for every construct that takes an address or a network. */

const OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const ADDRESS = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);

/** A dotted-quad IPv4 address, each octet 0..255 without leading zeros. */
export function isIpv4(text: string): boolean {
  return ADDRESS.test(text);
}

/** The prefix length of an IPv4 network in CIDR notation (`10.10.10.0/24` → 24), or undefined if it is not one. */
export function ipv4CidrPrefix(text: string): number | undefined {
  const slash = text.indexOf("/");
  if (slash < 0 || !isIpv4(text.slice(0, slash))) return undefined;
  const prefix = text.slice(slash + 1);
  return /^([0-9]|[12]\d|3[0-2])$/.test(prefix) ? Number(prefix) : undefined;
}
