import nock from "nock";
import { afterEach, beforeAll, expect } from "vitest";

// Network off: only loopback fakes may be reached, so a stray request to a real cloud fails at once.
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => host.startsWith("127.0.0.1") || host.startsWith("localhost"));
});

// A nock interceptor that was set up but never used means the code under test skipped a request.
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending, "leftover nock interceptors").toEqual([]);
});
