/** One line of the doctor's report. */
export interface DoctorCheck {
  /** Stable name, e.g. `gcp-metadata`. */
  check: string;
  status: "ok" | "warn" | "fail" | "skip";
  /** What was found. Never a token or secret. */
  detail: string;
  /** What to do, for `warn` and `fail`. */
  fix?: string;
}
