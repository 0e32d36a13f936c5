import { EmailAlerts, type EmailAlertsProps } from "../../constructs/email-alerts";
import { TerraformVariable, type TerraformStack } from "../../lib/cdktf";
import { synth, truenasTestStack } from "../helpers";

function props(stack: TerraformStack): EmailAlertsProps {
  return {
    recipients: ["ops@example.org"],
    smtpServer: "smtp.example.org",
    smtpUser: "nas@example.org",
    fromAddress: "nas@example.org",
    smtpPassword: new TerraformVariable(stack, "smtp_password", { type: "string", sensitive: true }).stringValue,
  };
}

describe("EmailAlerts", () => {
  test("defaults: STARTTLS on 587, WARNING and above, password only as a variable reference", () => {
    const { stack } = truenasTestStack();
    new EmailAlerts(stack, "alerts", props(stack));
    const json = synth(stack);
    expect(Object.values(json.resource!.truenas_mail)).toEqual([{
      outgoingserver: "smtp.example.org", port: 587, security: "TLS", smtp: true, user: "nas@example.org", pass: "${var.smtp_password}", fromemail: "nas@example.org", fromname: "TrueNAS",
    }]);
    expect(Object.values(json.resource!.truenas_alert_service)).toEqual([{
      name: "email-ops@example.org", level: "WARNING", attributes: '${jsonencode({"type" = "Mail", "email" = "ops@example.org"})}', enabled: true,
    }]);
  });

  test("custom: two recipients get a service each, another level and port", () => {
    const { stack } = truenasTestStack();
    new EmailAlerts(stack, "alerts", { ...props(stack), recipients: ["a@example.org", "b@example.org"], level: "ERROR", smtpPort: 465 });
    const json = synth(stack);
    expect((Object.values(json.resource!.truenas_alert_service) as any[]).map((s) => [s.name, s.level])).toEqual([["email-a@example.org", "ERROR"], ["email-b@example.org", "ERROR"]]);
    expect(json).toMatchSnapshot();
  });

  test.each<[string, Partial<EmailAlertsProps>, string]>([
    ["no recipients", { recipients: [] }, "test/alerts: alerts go nowhere (got []; allowed: at least one recipient)"],
    ["a bad address", { recipients: ["ops"] }, `test/alerts: invalid email address (got "ops"; allowed: name@domain)`],
  ])("rejects %s", (_name, override, message) => {
    const { stack } = truenasTestStack();
    expect(() => new EmailAlerts(stack, "alerts", { ...props(stack), ...override })).toThrow(message);
  });
});
