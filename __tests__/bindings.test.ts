import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const root = path.join(__dirname, "..");
const cdktfJson = JSON.parse(fs.readFileSync(path.join(root, "cdktf.json"), "utf8")) as { terraformProviders: string[]; codeMakerOutput: string };
const gen = path.join(root, cdktfJson.codeMakerOutput);

describe("generated provider bindings", () => {
  test("were generated from the committed schemas as they are now (else: npm run get)", () => {
    const digest = JSON.parse(fs.readFileSync(path.join(gen, "schema-digest.json"), "utf8")) as Record<string, string>;
    const expected = Object.fromEntries(cdktfJson.terraformProviders.map((c) => {
      const [source, version] = c.split("@");
      const name = `${source.split("/").pop()}@${version}.json`;
      return [name, crypto.createHash("sha256").update(fs.readFileSync(path.join(root, "schemas", name))).digest("hex")];
    }));
    expect(digest).toEqual(expected);
  });

  test("pin exactly the versions cdktf.json asks for", () => {
    const versions = JSON.parse(fs.readFileSync(path.join(gen, "versions.json"), "utf8"));
    expect(versions).toEqual({ "registry.terraform.io/bpg/proxmox": "0.111.1", "registry.terraform.io/truenas/truenas": "1.5.11" });
    expect(cdktfJson.terraformProviders).toEqual(["bpg/proxmox@0.111.1", "truenas/truenas@1.5.11"]);
  });

  test("schemas carry the provider version they were derived from", () => {
    for (const c of cdktfJson.terraformProviders) {
      const [source, version] = c.split("@");
      const schema = JSON.parse(fs.readFileSync(path.join(root, "schemas", `${source.split("/").pop()}@${version}.json`), "utf8"));
      expect(schema.provider_versions).toEqual({ [`registry.terraform.io/${source}`]: version });
    }
  });
});
