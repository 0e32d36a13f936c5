/**
 * What the matchers share: the inventory entry being checked, the live answers, and the three ways
 * a declared object ends (found with its id and drift, absent, or not checkable).
 */
import type { Homelab } from "../../inventory/types";
import { resourceAddress, type ResourceRef } from "./addresses";
import type { Drift, Finding } from "./drift";

export type VmEntry = Homelab["truenasVms"][number];
export type StorageEntry = NonNullable<VmEntry["storage"]>;

/** One live answer: the value, or why the call failed (the objects it covers become `error`). */
export type Answer<T = unknown> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export interface TrueNASContext {
  readonly homelab: Homelab;
  readonly vm: VmEntry;
  readonly storage: StorageEntry;
  readonly stack: string;
  /** Answers by method name (`pool.dataset.query`, ...). */
  readonly answers: Readonly<Record<string, Answer>>;
}

/** The rows a query returned, or the error text when it failed. */
export function rowsOf<T>(ctx: TrueNASContext, method: string): { rows: T[]; error?: undefined } | { rows?: undefined; error: string } {
  const a = ctx.answers[method];
  if (!a) return { error: `${method} not called` };
  if (!a.ok) return { error: a.error };
  return { rows: (Array.isArray(a.value) ? a.value : [a.value]) as T[] };
}

export interface Outcome {
  readonly id?: string;
  readonly drift?: readonly Drift[];
  readonly note?: string;
}

/** Builds findings of one stack: `f.found(ref, "dataset fast/vms", { id, drift })`. */
export function findingsOf(stack: string) {
  const make = (status: Finding["status"], ref: ResourceRef | undefined, object: string, o: Outcome = {}): Finding => ({
    stack,
    address: ref ? resourceAddress(ref) : undefined,
    object,
    status,
    id: status === "found" ? o.id : undefined,
    drift: status === "found" ? o.drift ?? [] : [],
    note: o.note,
  });
  return {
    found: (ref: ResourceRef | undefined, object: string, o: Outcome) => make("found", ref, object, o),
    absent: (ref: ResourceRef | undefined, object: string, note?: string) => make("absent", ref, object, { note }),
    error: (ref: ResourceRef | undefined, object: string, note: string) => make("error", ref, object, { note }),
  };
}
