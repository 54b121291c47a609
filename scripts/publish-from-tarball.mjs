// prepublishOnly: refuses `npm publish` from the repository, which would upload the repository's
// README.md as the package's. npm runs prepublishOnly only when it publishes a folder, never a
// tarball, so the documented release is untouched by this: build and pack with
// scripts/pack.mjs, then publish the tarball it prints. T4 in docs/decisions.md.
console.error(
  [
    "edge-cqrs is published from its packed tarball, whose README.md is the package's own (docs/package/README.md):",
    "  node scripts/pack.mjs",
    "  npm publish .tmp/package/edge-cqrs.tgz",
  ].join("\n"),
);
process.exit(1);
