import { EmailAlerts, type EmailAlertsProps } from "../../constructs/email-alerts";
import { SecretValue } from "../../constructs/secret";
import type { TerraformStack } from "../../lib/cdktf";
import { synth, truenasTestStack } from "../helpers";

function props(stack: TerraformStack): EmailAlertsProps {
  return {
    recipients: ["ops@example.org"],
    smtpServer: "smtp.example.org",
    smtpUser: "nas@example.org",
    fromAddress: "nas@example.org",
    smtpPassword: SecretValue.fromVariable(stack, "smtp_password", { description: "SMTP" }),
  };
}

describe("EmailAlerts", () => {
  test("defaults: STARTTLS on 587, WARNING and above, password only as a variable reference", () => {
    const { stack } = truenasTestStack();
    new EmailAlerts(stack, "alerts", props(stack));
    const json = synth(stack);
    const versions = Object.keys(json.resource!.terraform_data);
    expect(versions).toHaveLength(1);
    expect(Object.values(json.resource!.truenas_mail)).toEqual([{
      outgoingserver: "smtp.example.org", port: 587, security: "TLS", smtp: true, user: "nas@example.org", pass: "${var.smtp_password}", fromemail: "nas@example.org", fromname: "TrueNAS",
      // pass is write-only without a version attribute: a bumped smtp_password_version replaces the resource.
      lifecycle: { replace_triggered_by: [`terraform_data.${versions[0]}`] },
    }]);
    expect(Object.values(json.resource!.terraform_data)).toEqual([{ input: { version: "${var.smtp_password_version}" } }]);
    expect(Object.values(json.resource!.truenas_alert_service)).toEqual([{
      name: "email-ops@example.org", level: "WARNING", attributes: '${jsonencode({"type" = "Mail", "email" = "ops@example.org"})}', enabled: true, lifecycle: { prevent_destroy: true },
    }]);
    expect(Object.keys(json.resource!.truenas_alert_service)).toEqual(["alerts-1"]);
    expect(Object.keys(json.resource!.truenas_mail)).toEqual(["alerts"]); // its Delete makes no API call: not protected
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
    ["a literal password", { smtpPassword: "correct horse" as never }, "test/alerts: smtpPassword is not a secret from a Terraform variable, and would be written into cdk.tf.json (got a literal string of 13 characters; allowed: SecretValue.fromVariable(...))"],
  ])("rejects %s", (_name, override, message) => {
    const { stack } = truenasTestStack();
    expect(() => new EmailAlerts(stack, "alerts", { ...props(stack), ...override })).toThrow(message);
  });
});
