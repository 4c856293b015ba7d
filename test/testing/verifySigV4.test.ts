import { describe, expect, it } from "vitest";
import { verifySigV4 } from "../../src/testing/index.js";

// Vectors from the AWS Signature Version 4 test suite and the IAM example of the SigV4 documentation.
const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const lookup = (id: string) => (id === "AKIDEXAMPLE" ? SECRET : undefined);
const authorization = (signedHeaders: string, signature: string, service = "service") =>
  `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/${service}/aws4_request, SignedHeaders=${signedHeaders}, Signature=${signature}`;

const getVanilla = {
  method: "GET",
  url: "/",
  headers: {
    Host: "example.amazonaws.com",
    "X-Amz-Date": "20150830T123600Z",
    Authorization: authorization("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
  },
  body: "",
};

describe("verifySigV4", () => {
  it("accepts the test suite's get-vanilla request", () => {
    expect(verifySigV4(getVanilla, lookup)).toEqual({
      ok: true,
      accessKeyId: "AKIDEXAMPLE",
      region: "us-east-1",
      service: "service",
    });
  });

  it("sorts query parameters (get-vanilla-query-order-key-case)", () => {
    const request = {
      ...getVanilla,
      url: "/?Param2=value2&Param1=value1",
      headers: {
        ...getVanilla.headers,
        Authorization: authorization("host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
      },
    };
    expect(verifySigV4(request, lookup)).toMatchObject({ ok: true });
  });

  it("accepts the documentation's IAM ListUsers request (signed content-type header)", () => {
    const request = {
      method: "GET",
      url: "/?Action=ListUsers&Version=2010-05-08",
      headers: {
        host: "iam.amazonaws.com",
        "content-type": "application/x-www-form-urlencoded; charset=utf-8",
        "x-amz-date": "20150830T123600Z",
        authorization: authorization(
          "content-type;host;x-amz-date",
          "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
          "iam",
        ),
      },
      body: "",
    };
    expect(verifySigV4(request, lookup)).toEqual({ ok: true, accessKeyId: "AKIDEXAMPLE", region: "us-east-1", service: "iam" });
  });

  it("rejects a wrong secret, a changed header, a changed body and an unknown key", () => {
    expect(verifySigV4(getVanilla, () => "not-the-secret")).toMatchObject({ ok: false, reason: "bad signature" });
    const otherHost = { ...getVanilla, headers: { ...getVanilla.headers, Host: "evil.example.com" } };
    expect(verifySigV4(otherHost, lookup)).toMatchObject({ ok: false, reason: "bad signature" });
    expect(verifySigV4({ ...getVanilla, body: "x" }, lookup)).toMatchObject({ ok: false, reason: "bad signature" });
    expect(verifySigV4(getVanilla, () => undefined)).toMatchObject({ ok: false, reason: "unknown access key" });
  });

  it("rejects missing or malformed authorization and unsent signed headers", () => {
    const { Authorization: _omit, ...unsigned } = getVanilla.headers;
    expect(verifySigV4({ ...getVanilla, headers: unsigned }, lookup)).toMatchObject({ reason: "missing authorization" });
    expect(verifySigV4({ ...getVanilla, headers: { ...unsigned, Authorization: "Bearer x" } }, lookup)).toMatchObject({
      reason: "malformed authorization",
    });
    const { "X-Amz-Date": _date, ...undated } = getVanilla.headers;
    expect(verifySigV4({ ...getVanilla, headers: undated }, lookup)).toMatchObject({ reason: "malformed authorization" });
    const extraSigned = {
      ...getVanilla,
      headers: { ...getVanilla.headers, Authorization: authorization("host;x-amz-date;x-custom", "0".repeat(64)) },
    };
    expect(verifySigV4(extraSigned, lookup)).toMatchObject({ ok: false, reason: "missing signed header" });
  });
});
