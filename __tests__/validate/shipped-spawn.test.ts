/**
 * The shipped stacks pass npm run validate with the provider started by Terraform itself (the
 * `--spawn` mode: dev_overrides, go-plugin handshake, AutoMTLS), as with a real provider. Its own
 * file so that jest runs it beside shipped.test.ts (it is mostly provider start-ups); the synth
 * output is the shared one (shared-fixture.ts).
 */
import { validateApp } from "../../scripts/validate/app";
import { describeWithTerraform } from "./helpers";
import { synthOf } from "./shared-fixture";

jest.setTimeout(180_000);

describeWithTerraform("the shipped stacks against real Terraform, the provider started by Terraform", () => {
  test("every stack passes with the provider started by Terraform itself (dev_overrides, go-plugin handshake, AutoMTLS)", async () => {
    const report = await validateApp({ outdir: await synthOf("local"), synth: false, mode: "spawn" });
    // eslint-disable-next-line no-console
    console.log(`terraform for ${report.results.length} stacks (spawn): ${report.terraformMs} ms`);
    expect(report.results.filter((r) => !r.ok).map((r) => `${r.stack}: ${r.message}`)).toEqual([]);
    expect(report.results.find((r) => r.stack === "prod-k8s-storage")!.against).toEqual(["prod-storage"]);
  });
});
