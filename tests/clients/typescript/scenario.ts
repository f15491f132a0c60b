// The practice from sign-up to a completed meeting, through a client generated from
// openapi/openapi.json by openapi-typescript and called with openapi-fetch: no hand-written API
// types. `tsc --strict` must accept it; `node` runs it against a live server (TANDEM_URL).
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./generated/schema.js";

type Problem = components["schemas"]["Problem"];

const baseUrl = process.env.TANDEM_URL ?? "http://127.0.0.1:8080";
const run = Date.now().toString(36);

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`scenario failed: ${what}`);
}

/** The data of a successful answer, or a failure naming the problem the server gave. */
function ok<T>(answer: { data?: T; error?: unknown; response: Response }, what: string): T {
  if (answer.data === undefined) {
    throw new Error(`${what}: ${answer.response.status} ${JSON.stringify(answer.error)}`);
  }
  return answer.data;
}

function signedIn(token: string): Client<paths> {
  const client = createClient<paths>({ baseUrl });
  client.use({
    onRequest({ request }) {
      request.headers.set("Authorization", `Bearer ${token}`);
      return request;
    },
  });
  return client;
}

async function person(name: string, timeZone: string): Promise<{ client: Client<paths>; id: string; email: string }> {
  const anonymous = createClient<paths>({ baseUrl });
  const email = `${name.toLowerCase()}-${run}@example.com`;
  const password = `${name} keeps a long passphrase`;
  const user = ok(
    await anonymous.POST("/v1/auth/register", {
      body: { email, password, display_name: name, time_zone: timeZone },
    }),
    `register ${name}`,
  );
  const tokens = ok(await anonymous.POST("/v1/auth/token", { body: { email, password } }), "sign in");
  check(tokens.token_type === "Bearer", "token_type is the Bearer enum");
  return { client: signedIn(tokens.access_token), id: user.id, email };
}

async function main(): Promise<void> {
  const ada = await person("Ada", "Europe/London");
  const grace = await person("Grace", "Europe/Berlin");

  // A problem through the generated error type: a made-up time zone is a 422 naming the field.
  const refused = await createClient<paths>({ baseUrl }).POST("/v1/auth/register", {
    body: { email: `nobody-${run}@example.com`, password: "long enough passphrase", display_name: "Nobody", time_zone: "Mars/Olympus_Mons" },
  });
  check(refused.response.status === 422, `422 for an unknown time zone, got ${refused.response.status}`);
  const problem: Problem | undefined = refused.error;
  check(problem !== undefined, "the 422 has a problem body");
  check(problem.type === "urn:tandem:problem:validation", `problem type ${problem.type}`);
  const pointers = (problem.errors ?? []).map((e) => e.pointer);
  check(pointers.includes("#/time_zone"), `the problem names #/time_zone: ${pointers.join(", ")}`);

  // Ada invites Grace, who accepts.
  const invited = ok(
    await ada.client.POST("/v1/partnerships", { body: { invitee_email: grace.email, message: "Keep me honest?" } }),
    "invite",
  );
  const accepted = ok(
    await grace.client.POST("/v1/partnerships/{id}/accept", { params: { path: { id: invited.id } } }),
    "accept",
  );
  check(accepted.status === "active", `partnership is ${accepted.status}`);

  // Ada drafts and activates two goals and records a reading of the first.
  const year = new Date().getUTCFullYear();
  const goalIds: string[] = [];
  for (const [title, baseline, target] of [
    ["Cut customer wait time", 12, 9.6],
    ["Grow weekly demos", 4, 10],
  ] as const) {
    const goal = ok(
      await ada.client.POST("/v1/partnerships/{id}/goals", {
        params: { path: { id: invited.id } },
        body: {
          title,
          what: `${title} this year`,
          who: "Support team",
          why: "It is what customers ask for",
          metric: {
            name: title,
            unit: "count",
            kind: "number",
            direction: target < baseline ? "decrease" : "increase",
            baseline,
            target,
          },
          confidence: 0.7,
          alignment: "Retention objective",
          start_date: `${year}-01-01`,
          due_date: `${year}-12-31`,
        },
      }),
      `create goal ${title}`,
    );
    const active = ok(
      await ada.client.POST("/v1/goals/{id}/activate", { params: { path: { id: goal.id } } }),
      "activate",
    );
    check(active.status === "active", `goal is ${active.status}`);
    goalIds.push(goal.id);
  }
  const [goalId] = goalIds;
  check(goalId !== undefined, "a goal was created");
  const reading = ok(
    await ada.client.POST("/v1/goals/{id}/readings", {
      params: { path: { id: goalId } },
      body: { value: 10.8, observed_at: new Date().toISOString(), note: "After the triage pilot" },
    }),
    "record a reading",
  );
  check(reading.value === 10.8, "the reading keeps its value");

  // Progress and the scorecard, as both partners see them.
  const progress = ok(
    await grace.client.GET("/v1/goals/{id}/progress", { params: { path: { id: goalId } } }),
    "progress",
  );
  const current: number | null = progress.current;
  check(current === 10.8, `progress.current is the latest reading, got ${current}`);
  const scorecard = ok(
    await grace.client.GET("/v1/partnerships/{id}/scorecard", { params: { path: { id: invited.id } } }),
    "scorecard",
  );
  const rows = scorecard.partners.flatMap((p) => p.goals);
  const row = rows.find((r) => r.goal_id === goalId);
  check(row !== undefined && row.latest_value === 10.8, "the scorecard shows the reading");
  check(rows.length === 2, `two goals on the scorecard, got ${rows.length}`);

  // They meet: schedule, notes, a commitment, complete.
  const meeting = ok(
    await ada.client.POST("/v1/partnerships/{id}/meetings", { params: { path: { id: invited.id } }, body: {} }),
    "schedule",
  );
  ok(
    await grace.client.PUT("/v1/meetings/{id}/notes/{partner_id}", {
      params: { path: { id: meeting.id, partner_id: ada.id } },
      body: { wins: ["Triage pilot live"], obstacles: ["Weekend backlog"], solutions: ["Rotate weekend duty"] },
    }),
    "notes",
  );
  const commitment = ok(
    await ada.client.POST("/v1/meetings/{id}/commitments", {
      params: { path: { id: meeting.id } },
      body: { text: "Draft the weekend rota" },
    }),
    "commitment",
  );
  check(commitment.closed_at === null, "an open commitment has closed_at null");
  const completed = ok(
    await ada.client.POST("/v1/meetings/{id}/complete", { params: { path: { id: meeting.id } }, body: {} }),
    "complete",
  );
  check(completed.status === "completed", `meeting is ${completed.status}`);
  check(completed.next_meeting_id !== null, "completing schedules the next meeting");
  console.log(`typescript client scenario passed: partnership ${invited.id}, meeting ${meeting.id}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
