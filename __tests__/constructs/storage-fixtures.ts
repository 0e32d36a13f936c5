import { DatasetTree } from "../../constructs/dataset-tree";
import type { TerraformStack } from "../../lib/cdktf";
import { smallPool } from "../helpers";

/** A pool `tank` with datasets `media`, `photos`, `apps` for the share and task tests. */
export function tankDatasets(stack: TerraformStack) {
  const pool = smallPool(stack);
  const tree = new DatasetTree(stack, "datasets", {
    pool,
    datasets: [
      { pathBelowPool: "media", purpose: "films", profile: "media" },
      { pathBelowPool: "photos", purpose: "photo library", profile: "photos" },
      { pathBelowPool: "apps", purpose: "app data" },
    ],
  });
  return { pool, tree, media: tree.dataset("media"), photos: tree.dataset("photos"), apps: tree.dataset("apps") };
}
