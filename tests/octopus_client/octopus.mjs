// What every script shares: a client connected the way Octopus's GitHub Actions connect, and one JSON
// line on stdout for the Python tests to read: the result, or the client's error (exit code 1).
import { parseArgs } from "node:util";
import octopus from "@octopusdeploy/api-client";

export const api = octopus;

function log(message) {
  process.stderr.write(`${message}\n`);
}

// The HTTP status of every error answer, in order: push() wraps its failures in a plain Error and the
// status is lost, so it is kept from the client's error notifications instead.
const errorStatuses = [];

/** `Client.create` with OCTOPUS_URL, OCTOPUS_API_KEY (or OCTOPUS_ACCESS_TOKEN) as the actions read them. */
export async function connect(userAgentApp) {
  const instanceURL = process.env.OCTOPUS_URL;
  if (!instanceURL) {
    throw new Error("OCTOPUS_URL is not set");
  }
  const configuration = {
    instanceURL,
    userAgentApp,
    logging: { debug: () => {}, info: log, warn: log, error: (message, error) => log(error ? `${message}: ${error}` : message) },
  };
  if (process.env.OCTOPUS_ACCESS_TOKEN) {
    configuration.accessToken = process.env.OCTOPUS_ACCESS_TOKEN;
  } else {
    configuration.apiKey = process.env.OCTOPUS_API_KEY ?? "";
  }
  const client = await octopus.Client.create(configuration);
  client.subscribeToErrors("seaway-tests", (details) => errorStatuses.push(details.statusCode));
  return client;
}

/** The space name the actions take as `space` (OCTOPUS_SPACE). */
export function spaceName() {
  const name = process.env.OCTOPUS_SPACE;
  if (!name) {
    throw new Error("OCTOPUS_SPACE is not set");
  }
  return name;
}

/** The script's options (`--name value`, repeatable where `multiple`) and its positional arguments. */
export function inputs(options) {
  return parseArgs({ options, allowPositionals: true, strict: true });
}

/** Run `main`, print its result (an object) as one JSON line; on failure print the error and exit 1. */
export async function run(main) {
  let code = 0;
  try {
    const result = await main();
    process.stdout.write(`${JSON.stringify({ ok: true, ...result })}\n`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const failure = { ok: false, error: message, statusCode: error?.StatusCode ?? null, errorStatuses };
    process.stdout.write(`${JSON.stringify(failure)}\n`);
    log(message);
    code = 1;
  }
  // After an upload the client keeps its kept-alive connection referenced until the server closes it (the
  // server's idle timeout, 5 s), which would hold the process that long; the result is written (pipes
  // are synchronous), so end now.
  process.exit(code);
}
