/**
 * The values AWS compares for Google ID tokens, per the IAM User Guide ("Available keys for AWS web
 * identity federation"): `accounts.google.com:aud` is the token's `azp` when present, else its `aud`;
 * `oaud` is always `aud`; `sub` and `email` are the claims of the same name.
 */
export function googleConditionValues(claims: Record<string, unknown>): Record<string, unknown> {
  return {
    "accounts.google.com:aud": claims.azp ?? claims.aud,
    "accounts.google.com:oaud": claims.aud,
    "accounts.google.com:sub": claims.sub,
    "accounts.google.com:email": claims.email,
  };
}

const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** True when some value the token presents for `key` equals some value the condition accepts. */
function stringEquals(values: Record<string, unknown>, key: string, accepted: unknown): boolean {
  const presented = asArray(values[key.toLowerCase()]).filter((v): v is string => typeof v === "string");
  const allowed = asArray(accepted).map(String);
  return presented.some((value) => allowed.includes(value));
}

/** Whether one statement grants sts:AssumeRoleWithWebIdentity to accounts.google.com for these values. */
function statementApplies(statement: Record<string, unknown>, values: Record<string, unknown>): boolean {
  const principal = statement.Principal;
  if (!isRecord(principal) || !asArray(principal.Federated).includes("accounts.google.com")) return false;
  const actions = asArray(statement.Action);
  if (!actions.includes("sts:AssumeRoleWithWebIdentity") && !actions.includes("sts:*")) return false;
  const condition = statement.Condition ?? {};
  if (!isRecord(condition)) return false;
  for (const [operator, tests] of Object.entries(condition)) {
    // Only StringEquals is modelled; a statement using any other operator never applies (fail closed).
    if (operator !== "StringEquals" || !isRecord(tests)) return false;
    for (const [key, accepted] of Object.entries(tests)) {
      if (!stringEquals(values, key, accepted)) return false;
    }
  }
  return true;
}

/**
 * Evaluate an IAM role trust policy document for `AssumeRoleWithWebIdentity` with a verified Google
 * ID token's claims. Allowed when some `Effect: "Allow"` statement with `Principal.Federated`
 * `"accounts.google.com"` and action `sts:AssumeRoleWithWebIdentity` (string or array) has every
 * `StringEquals` condition satisfied (a condition value may be a string or an array: any of them),
 * and no matching `Deny` statement applies. Condition keys are matched case-insensitively; other
 * condition operators are not modelled, so a statement using one never applies.
 */
export function evaluateTrustPolicy(policy: object, claims: Record<string, unknown>): boolean {
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(googleConditionValues(claims))) values[key.toLowerCase()] = value;
  const statements = asArray((policy as { Statement?: unknown }).Statement).filter(isRecord);
  const applying = statements.filter((statement) => statementApplies(statement, values));
  return applying.some((s) => s.Effect === "Allow") && !applying.some((s) => s.Effect === "Deny");
}
