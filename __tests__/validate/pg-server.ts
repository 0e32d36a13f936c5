/**
 * A throwaway PostgreSQL server for tests: initdb into a temp directory, password (SCRAM)
 * authentication over TCP on 127.0.0.1 only (no unix socket), a free port, one database owned by
 * an unprivileged login role. As root the server runs as the `postgres` user (else `nobody`)
 * through runuser, since postgres refuses to run as root.
 *
 * Passwords are random per server and never printed.
 */
import { execFile, spawnSync } from "node:child_process";
import { accessSync, appendFileSync, chmodSync, constants, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";

export interface PgBinaries {
  /** Directory holding initdb, pg_ctl and postgres. */
  bin: string;
  initdb: string;
  pgCtl: string;
  psql: string;
  /** `initdb --version` output, e.g. "initdb (PostgreSQL) 15.14". */
  version: string;
}

const isExe = (p: string) => {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

/**
 * initdb + pg_ctl (+ psql) from one PostgreSQL installation: first an `initdb` on PATH, then
 * Debian's /usr/lib/postgresql/<version>/bin (newest version first). Returns why not when none.
 */
export function findPostgres(env: NodeJS.ProcessEnv = process.env): PgBinaries | { error: string } {
  const candidates: string[] = [];
  for (const dir of (env.PATH ?? "").split(delimiter).filter(Boolean)) {
    const initdb = join(dir, "initdb");
    if (isExe(initdb)) candidates.push(dirname(realpathSync(initdb)));
  }
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((v) => /^\d+(\.\d+)?$/.test(v)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(debian, v, "bin")));
  }
  for (const bin of candidates) {
    const [initdb, pgCtl, postgres] = ["initdb", "pg_ctl", "postgres"].map((n) => join(bin, n)) as [string, string, string];
    if (![initdb, pgCtl, postgres].every(isExe)) continue;
    const psql = isExe(join(bin, "psql")) ? join(bin, "psql") : "psql";
    if (psql === "psql" && spawnSync("psql", ["--version"]).status !== 0) continue;
    const v = spawnSync(initdb, ["--version"], { encoding: "utf8" });
    if (v.status !== 0) continue;
    return { bin, initdb, pgCtl, psql, version: v.stdout.trim() };
  }
  return {
    error: `no PostgreSQL server binaries found (looked for initdb, pg_ctl and postgres on PATH and in ${debian}/*/bin; install them with apt-get install postgresql)`,
  };
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === "object" ? resolvePort(addr.port) : reject(new Error("no port"))));
    });
  });
}

export interface PsqlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface PgServer {
  readonly host: "127.0.0.1";
  readonly port: number;
  readonly database: string;
  /** The unprivileged login role that owns `database`. */
  readonly user: string;
  /** `user`'s password (random; never print it). */
  readonly password: string;
  /** Every password of this server (the bootstrap superuser's too), to check none leaks anywhere. */
  readonly secrets: readonly string[];
  /** The PostgreSQL installation used. */
  readonly binaries: PgBinaries;
  /** Run SQL as `user` (or as the superuser) in `database`: psql -At, stops at the first error. */
  psql(sql: string, opts?: { superuser?: boolean }): Promise<PsqlResult>;
  /** Stop the server (immediate) and remove its files. Idempotent. */
  stop(): void;
}

/** Environment for a PostgreSQL client: none of the caller's PG* settings, no password file. */
export function pgClientEnv(base: NodeJS.ProcessEnv, password: string | undefined, home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (!k.startsWith("PG")) env[k] = v;
  env.PGPASSFILE = join(home, "no-such-pgpass");
  env.PGCONNECT_TIMEOUT = "10";
  if (password !== undefined) env.PGPASSWORD = password;
  return env;
}

/** The account the server runs as when we are root: postgres, else nobody. */
function serverAccount(): { name: string; uid: number; gid: number } {
  for (const name of ["postgres", "nobody"]) {
    const uid = spawnSync("id", ["-u", name], { encoding: "utf8" });
    const gid = spawnSync("id", ["-g", name], { encoding: "utf8" });
    if (uid.status === 0 && gid.status === 0) return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  }
  throw new Error("running as root and neither a postgres nor a nobody account exists: postgres refuses to run as root");
}

/**
 * Start a throwaway server with database `database` owned by login role `user`. Throws (with
 * initdb's or the server's log) when it cannot start.
 */
export async function startPostgres(binaries: PgBinaries, opts: { database?: string; user?: string } = {}): Promise<PgServer> {
  const database = opts.database ?? "tfstate";
  const user = opts.user ?? "terraform";
  const asRoot = process.getuid?.() === 0;
  const account = asRoot ? serverAccount() : undefined;
  if (asRoot && spawnSync("runuser", ["--help"]).error) throw new Error("running as root and runuser is missing: postgres refuses to run as root");
  // As root, /tmp rather than a TMPDIR that may sit in a directory the server account cannot enter.
  const home = mkdtempSync(join(asRoot ? "/tmp" : tmpdir(), "pg-backend-"));
  const data = join(home, "data");
  const log = join(home, "server.log");
  const superPassword = randomBytes(18).toString("base64url");
  const password = randomBytes(18).toString("base64url");
  const pwfile = join(home, "superuser.pw");
  writeFileSync(pwfile, `${superPassword}\n`, { mode: 0o600 });
  if (account) {
    chownSync(home, account.uid, account.gid);
    chownSync(pwfile, account.uid, account.gid);
  }
  chmodSync(home, 0o700);

  /** Run a server-side binary as the server account. */
  const asServer = (cmd: string, args: string[]) =>
    spawnSync(account ? "runuser" : cmd, account ? ["-u", account.name, "--", cmd, ...args] : args, { cwd: home, encoding: "utf8", env: { ...process.env, LC_ALL: "C" } });

  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.removeListener("exit", stop);
    if (existsSync(join(data, "postmaster.pid"))) asServer(binaries.pgCtl, ["stop", "-D", data, "-m", "immediate", "-w", "-t", "20"]);
    rmSync(home, { recursive: true, force: true });
  };
  // Should the test process end without afterAll, do not leave a server behind.
  process.once("exit", stop);

  try {
    const init = asServer(binaries.initdb, ["-D", data, "-U", "postgres", `--pwfile=${pwfile}`, "--auth=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync"]);
    if (init.status !== 0) throw new Error(`initdb failed (exit ${init.status}):\n${init.stdout}${init.stderr}`);
    rmSync(pwfile);
    // TCP on 127.0.0.1 only, no unix socket; durability off (a throwaway server).
    appendFileSync(join(data, "postgresql.conf"), "\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\n");

    let port = 0;
    let lastError = "";
    for (let attempt = 0; attempt < 3 && !port; attempt++) {
      const p = await freePort();
      const r = asServer(binaries.pgCtl, ["start", "-w", "-t", "30", "-D", data, "-l", log, "-o", `-p ${p}`]);
      if (r.status === 0) port = p;
      else lastError = `pg_ctl start failed (exit ${r.status}):\n${r.stdout}${r.stderr}\n${existsSync(log) ? readFileSync(log, "utf8") : ""}`;
    }
    if (!port) throw new Error(lastError);

    const psqlAs = (role: string, pw: string, db: string, sql: string): Promise<PsqlResult> =>
      new Promise((resolvePsql) => {
        const url = `postgres://${role}@127.0.0.1:${port}/${db}?sslmode=disable`;
        execFile(binaries.psql, ["-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql], { env: pgClientEnv(process.env, pw, home), encoding: "utf8" }, (err, stdout, stderr) =>
          resolvePsql({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
        );
      });
    for (const sql of [`CREATE ROLE ${user} LOGIN PASSWORD '${password}'`, `CREATE DATABASE ${database} OWNER ${user}`]) {
      const r = await psqlAs("postgres", superPassword, "postgres", sql);
      // Not the statement itself: it holds a password.
      if (r.code !== 0) throw new Error(`bootstrapping the throwaway server failed (exit ${r.code}): ${r.stderr.replaceAll(password, "***")}`);
    }
    return {
      host: "127.0.0.1",
      port,
      database,
      user,
      password,
      secrets: [password, superPassword],
      binaries,
      psql: (sql, o = {}) => (o.superuser ? psqlAs("postgres", superPassword, database, sql) : psqlAs(user, password, database, sql)),
      stop,
    };
  } catch (e) {
    stop();
    throw e;
  }
}
