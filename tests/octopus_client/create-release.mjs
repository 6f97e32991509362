// create-release-action: `ReleaseRepository.create` with the command the action builds from its inputs.
// Usage: node create-release.mjs --project NAME [--release-number V] [--channel C] [--package-version V]
//        [--package STEP:VERSION]... [--release-notes N] [--git-ref R] [--git-commit C] [--ignore-existing]
import { api, connect, inputs, run, spaceName } from "./octopus.mjs";

await run(async () => {
  const { values } = inputs({
    project: { type: "string" },
    "release-number": { type: "string" },
    channel: { type: "string" },
    "package-version": { type: "string" },
    package: { type: "string", multiple: true },
    "release-notes": { type: "string" },
    "git-ref": { type: "string" },
    "git-commit": { type: "string" },
    "ignore-existing": { type: "boolean" },
  });
  const client = await connect("GitHubActions (release;create;v3)");
  const command = {
    spaceName: spaceName(),
    ProjectName: values.project,
    ChannelName: values.channel,
    ReleaseVersion: values["release-number"],
    PackageVersion: values["package-version"],
    Packages: values.package ?? [],
    GitRef: values["git-ref"],
    GitCommit: values["git-commit"],
    ReleaseNotes: values["release-notes"],
    IgnoreIfAlreadyExists: values["ignore-existing"],
    IgnoreChannelRules: false,
    CustomFields: {},
  };
  const response = await new api.ReleaseRepository(client, spaceName()).create(command);
  // The action's output `release_number` is this ReleaseVersion.
  return { ReleaseId: response.ReleaseId, ReleaseVersion: response.ReleaseVersion };
});
