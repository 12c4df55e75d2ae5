// AWS CDK's synth of a stack shaped like the generated one in ../bench_synth.py: N S3 buckets and
// N Lambda functions (inline code), each function read-write on its own bucket and read on its
// neighbour's ((i + 1) % N), each grant's bucket name passed to the function in an environment
// variable.
//
//   node synth.js N [--no-validation] OUTDIR      (the flag may stand anywhere)
//
// Prints one JSON line: {"resources": <Resources in the synthesized template>, "synth_s": <seconds
// from just before `new App` to just after `app.synth()`>, "import_s": <seconds to load the library>}.
"use strict";
// The library itself makes no network calls; these only matter to the CDK CLI, and are set so that
// nothing started from here ever tries (this machine reaches no network but package registries).
process.env.CDK_DISABLE_VERSION_CHECK = "1";
process.env.CDK_DISABLE_CLI_TELEMETRY = "true";

const start = process.hrtime.bigint();
const fs = require("fs");
const path = require("path");
const { App, Stack } = require("aws-cdk-lib");
const s3 = require("aws-cdk-lib/aws-s3");
const lambda = require("aws-cdk-lib/aws-lambda");
const loaded = process.hrtime.bigint();

const args = process.argv.slice(2);
const noValidation = args.includes("--no-validation");
const [count, outdir, ...rest] = args.filter((a) => a !== "--no-validation");
const n = Number(count);
if (!Number.isInteger(n) || n < 1 || !outdir || rest.length) {
  console.error("usage: node synth.js N [--no-validation] OUTDIR");
  process.exit(2);
}

// CDK's validation as it ships has two parts, and --no-validation turns off both:
// - construct validation: every construct's validate() before synthesis, skipped by
//   app.synth({ skipValidation: true }) (StageSynthesisOptions);
// - the built-in CloudFormation template validation (the CloudFormationValidatePlugin, rules run in
//   WebAssembly on every written template), turned off by AppProps.builtinCloudFormationValidation
//   = false (the same as CDK_VALIDATION=false or `cdk synth --no-validation`). skipValidation alone
//   leaves it running.
// No other validation plugin is registered, and the annotations report is behind a feature flag
// that is off by default, so nothing else is left to turn off.
const t0 = process.hrtime.bigint();
const app = new App({
  outdir,
  builtinCloudFormationValidation: !noValidation,
  context: {
    // No construct creation stack traces: CDK's fastest setting (the CLI adds them with --debug).
    "aws:cdk:disable-stack-trace": true,
    // CDK refuses more than 500 resources in one stack by default (CloudFormation's limit); lifted so
    // that the 4 N resources are synthesized in one stack, as ours are in one deployment.
    "@aws-cdk/core:stackResourceLimit": 0,
  },
});
const stack = new Stack(app, "Generated");
const buckets = [];
for (let i = 0; i < n; i++) buckets.push(new s3.Bucket(stack, `Store${i}`));
for (let i = 0; i < n; i++) {
  const own = buckets[i];
  const neighbour = buckets[(i + 1) % n];
  const fn = new lambda.Function(stack, `App${i}`, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: "index.handler",
    code: lambda.Code.fromInline("exports.handler = async () => 'ok';"),
    environment: { STORAGE_BUCKET: own.bucketName, NEIGHBOUR_STORAGE_BUCKET: neighbour.bucketName },
  });
  own.grantReadWrite(fn);
  neighbour.grantRead(fn);
}
const assembly = app.synth({ skipValidation: noValidation });
const t1 = process.hrtime.bigint();

const template = JSON.parse(fs.readFileSync(path.join(outdir, assembly.getStackByName("Generated").templateFile), "utf8"));
console.log(
  JSON.stringify({
    resources: Object.keys(template.Resources).length,
    synth_s: Number(t1 - t0) / 1e9,
    import_s: Number(loaded - start) / 1e9,
  }),
);
