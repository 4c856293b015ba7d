import nock from "nock";
import { afterAll, beforeAll } from "vitest";

/**
 * For suites that only talk to their own loopback fakes and cut connections on purpose (faults,
 * soak, arbitrary answers): nock's socket interceptor does not survive a server writing to a
 * connection the client already dropped (an uncaught "stream does not exist" from
 * @mswjs/interceptors, which can also stall the worker). Such suites run without it.
 */
export function withoutNockInterceptor(): void {
  beforeAll(() => {
    nock.restore();
  });
  afterAll(() => {
    nock.activate();
  });
}
