/**
 * Stack ids: Terraform state names (`terraform.<stack>.tfstate`, the pg schema, the s3 key).
 * Renaming one orphans a deployed stack's state: never change them. Pure (no cdktf import), so
 * scripts such as `npm run discover` use them without loading the app.
 */
export const STORAGE_STACK_BY_ROLE = { primary: "prod-storage", backup: "prod-backup" } as const;
export const DEV_COMPUTE_STACK = "dev-compute";
export const K8S_STORAGE_STACK = "prod-k8s-storage";
