import { CrossCloudCredentialsError } from "../errors.js";

type GoogleAuthLibrary = typeof import("google-auth-library");

/** Loads the optional peer dependency on first use, with an install hint when it is missing. */
export async function loadGoogleAuthLibrary(feature: string): Promise<GoogleAuthLibrary> {
  try {
    return await import("google-auth-library");
  } catch (error) {
    throw new CrossCloudCredentialsError(`${feature} needs the peer dependency google-auth-library: npm install google-auth-library@^10`, {
      code: "GOOGLE_AUTH_FAILED",
      cause: error,
    });
  }
}
