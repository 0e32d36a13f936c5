import { Construct } from "constructs";
import { AlertService } from "../.gen/providers/truenas/alert-service";
import { Mail } from "../.gen/providers/truenas/mail";
import { Fn } from "../lib/cdktf";
import { invalidProp } from "./errors";

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
  /** SMTP password, as a sensitive Terraform value (a variable). */
  readonly smtpPassword: string;
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
    new Mail(this, "Smtp", {
      outgoingserver: props.smtpServer,
      port: props.smtpPort ?? 587,
      security: "TLS",
      smtp: true,
      user: props.smtpUser,
      pass: props.smtpPassword,
      fromemail: props.fromAddress,
      fromname: "TrueNAS",
    });
    // TrueNAS's Mail alert service takes one address: one service per recipient.
    props.recipients.forEach((email, i) => new AlertService(this, `Mail${i + 1}`, {
      name: `email-${email}`,
      level: props.level ?? "WARNING",
      attributes: Fn.jsonencode({ type: "Mail", email }),
      enabled: true,
    }));
  }
}
