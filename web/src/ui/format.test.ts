// Figures as the app words them: one of a thing is singular, and a sample is never
// said to be more followers than the account has.
import { describe, expect, it } from "vitest";
import { counted, platformName, sampleLine } from "./format";

describe("figures in words", () => {
  it("pluralises by the count", () => {
    expect(counted(1, "comment")).toBe("1 comment");
    expect(counted(0, "comment")).toBe("0 comments");
    expect(counted(2300, "like")).toBe("2.3K likes");
    expect(counted(null, "view")).toBe("– views");
  });

  it("never measures more followers than the account has", () => {
    expect(sampleLine(1200, 11800)).toBe("Measured on 1.2K followers");
    expect(sampleLine(15800, 3200)).toMatch(/^Measured on a sample of 15.8K accounts/);
    expect(sampleLine(15800, 3200)).not.toMatch(/15.8K followers/);
    expect(sampleLine(undefined, 3200)).toBe("Sample size not reported");
  });

  it("spells platforms as their owners do", () => {
    expect(["tiktok", "youtube", "linkedin", "x"].map(platformName)).toEqual(["TikTok", "YouTube", "LinkedIn", "X"]);
  });
});
