// deploy-release-action: `DeploymentRepository.create` for every environment at once, then the look-ups the
// action makes to name each task's environment (deployments by id, environments/v2 by id with the
// fallback to environments when v2 answers 404 or nothing).
// Usage: node deploy-release.mjs --project NAME --release-number V --environment NAME...
import { api, connect, inputs, run, spaceName } from "./octopus.mjs";

async function environmentsById(client, space, ids) {
  try {
    const v2 = await new api.EnvironmentV2Repository(client, space).list({ ids, skip: 0, take: ids.length });
    if (v2.Items.length > 0) {
      return { route: "environments/v2", items: v2.Items };
    }
  } catch (error) {
    if (error?.StatusCode !== 404) {
      throw error;
    }
  }
  const environments = await new api.EnvironmentRepository(client, space).list({ ids, take: ids.length });
  return { route: "environments", items: environments.Items };
}

await run(async () => {
  const { values } = inputs({
    project: { type: "string" },
    "release-number": { type: "string" },
    environment: { type: "string", multiple: true },
    "use-guided-failure": { type: "boolean" },
  });
  const space = spaceName();
  const client = await connect("GitHubActions (release;deploy;v3)");
  const response = await new api.DeploymentRepository(client, space).create({
    spaceName: space,
    ProjectName: values.project,
    ReleaseVersion: values["release-number"],
    EnvironmentNames: values.environment ?? [],
    UseGuidedFailure: values["use-guided-failure"],
    Variables: {},
  });
  const tasks = response.DeploymentServerTasks;
  if (tasks.length === 0) {
    throw new Error("Expected at least one deployment to be queued.");
  }
  if (tasks[0].ServerTaskId === null || tasks[0].ServerTaskId === undefined) {
    throw new Error("Server task id was not deserialized correctly.");
  }
  const deploymentIds = tasks.map((task) => task.DeploymentId);
  const deployments = await new api.DeploymentRepository(client, space).list({ ids: deploymentIds, take: deploymentIds.length });
  const environmentIds = deployments.Items.map((deployment) => deployment.EnvironmentId);
  const environments = await environmentsById(client, space, environmentIds);
  const results = tasks.map((task) => {
    const deployment = deployments.Items.filter((d) => d.TaskId === task.ServerTaskId)[0];
    const environment = environments.items.filter((e) => e.Id === deployment.EnvironmentId)[0];
    return { serverTaskId: task.ServerTaskId, deploymentId: task.DeploymentId, environmentName: environment.Name };
  });
  return { deployments: results, environmentsRoute: environments.route };
});
