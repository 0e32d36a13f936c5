import { Construct } from "constructs";
import { AlertService } from "../.gen/providers/truenas/alert-service";
import { Mail } from "../.gen/providers/truenas/mail";
import { Fn } from "../lib/cdktf";
import { invalidProp } from "./errors";
import { SecretValue } from "./secret";
import { TerraformData } from "./terraform-data";
import { protectFromDestroy, readableAddress } from "./state-blocks";

export type AlertLevel = "INFO" | "NOTICE" | "WARNING" | "ERROR" | "CRITICAL" | "ALERT" | "EMERGENCY";

export interface EmailAlertsProps {
  /** Where alerts go. */
  readonly recipients: string[];
  /** SMTP relay host. */
  readonly smtpServer: string;
  /** Sender address. */
  readonly fromAddress: string;
  /** SMTP user. */
  readonly smtpUser: string;
  /** SMTP password: sent write-only (never in state); bumping its version re-sends it. */
  readonly smtpPassword: SecretValue;
  /**
   * SMTP port.
   * @default 587
   */
  readonly smtpPort?: number;
  /**
   * Lowest level that sends mail. WARNING includes pool capacity (80%), SMART and scrub errors.
   * @default "WARNING"
   */
  readonly level?: AlertLevel;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Day-1 monitoring: TrueNAS's own alerts (capacity, SMART, scrubs, replication) by email. */
export class EmailAlerts extends Construct {
  constructor(scope: Construct, id: string, props: EmailAlertsProps) {
    super(scope, id);
    if (props.recipients.length === 0) invalidProp(this, "alerts go nowhere", [], "at least one recipient");
    for (const r of [...props.recipients, props.fromAddress]) if (!EMAIL.test(r)) invalidProp(this, "invalid email address", r, "name@domain");
    const smtpPassword = SecretValue.check(this, "smtpPassword", props.smtpPassword);
    // truenas_mail.pass is write-only with no version attribute (provider @75b4139d
    // internal/resources/mail/resource.go: Create/Update read it from the configuration only), so
    // a rotated password would plan nothing. The version lives in a terraform_data whose change
    // replaces the mail resource: its Delete makes no API call, and the Create that follows sends
    // the whole mail configuration with the new password (mail.update).
    const passwordVersion = new TerraformData(this, "SmtpPasswordVersion", { input: { version: smtpPassword.version } });
    // New with this version: no hashed address ever held state, so no moved block.
    passwordVersion.overrideLogicalId(`${this.node.id}-smtp-password-version`);
    const mail = new Mail(this, "Smtp", {
      outgoingserver: props.smtpServer,
      port: props.smtpPort ?? 587,
      security: "TLS",
      smtp: true,
      user: props.smtpUser,
      pass: smtpPassword.value,
      fromemail: props.fromAddress,
      fromname: "TrueNAS",
      // A plain address: cdktf renders a construct here as "${terraform_data.x}", which Terraform
      // refuses in replace_triggered_by ("Expected the start of an expression"; checked with 1.11).
      lifecycle: { replaceTriggeredBy: [`terraform_data.${passwordVersion.friendlyUniqueId}`] },
    });
    readableAddress(mail, this.node.id); // its Delete makes no API call (provider @75b4139d mail/resource.go)
    // TrueNAS's Mail alert service takes one address: one service per recipient.
    props.recipients.forEach((email, i) => {
      const service = new AlertService(this, `Mail${i + 1}`, {
        name: `email-${email}`,
        level: props.level ?? "WARNING",
        attributes: Fn.jsonencode({ type: "Mail", email }),
        enabled: true,
      });
      readableAddress(service, `${this.node.id}-${i + 1}`);
      protectFromDestroy(service);
    });
  }
}
