/** What a token source is asked for. */
export interface TokenRequest {
  /** The `aud` the Google ID token must carry. */
  audience: string;
  signal?: AbortSignal;
}

/**
 * Where the Google ID token comes from: any async function returning a compact JWT works, so a test
 * can pass `async () => jwt`.
 */
export type TokenSource = (request: TokenRequest) => Promise<string>;
