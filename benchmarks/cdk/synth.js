// AWS CDK's synth of a stack like bench_synth.py's generated one: N S3 buckets and N Lambda
// functions, each function read-write on its own bucket and read on its neighbour's, the bucket
// names passed as environment variables. `node synth.js N OUTDIR [--no-validation]` prints one JSON
// line: the resources in the synthesized template and the seconds from `new App` to after synth.
"use strict";
process.env.CDK_DISABLE_VERSION_CHECK = "1";
process.env.CDK_CLI_NOTICES = "false";
const start = process.hrtime.bigint();
const fs = require("fs");
const path = require("path");
const cdk = require("aws-cdk-lib");
const s3 = require("aws-cdk-lib/aws-s3");
const lambda = require("aws-cdk-lib/aws-lambda");
const loaded = process.hrtime.bigint();

const [count, outdir, ...flags] = process.argv.slice(2);
const n = Number(count);
// "Validation" is what `cdk synth` checks beyond building the template: the built-in CloudFormation
// rules (a WebAssembly engine run on every template; CDK_VALIDATION=false turns it off) and each
// construct's validate() (skipValidation). --no-validation turns both off.
const skipValidation = flags.includes("--no-validation");
if (skipValidation) process.env.CDK_VALIDATION = "false";

// As `cdk synth` runs an app: no creation stack traces (the CLI turns them off unless --debug), and
// one stack may hold the 2,000 resources (CDK stops at 500 by default; CloudFormation takes 500 too,
// so a real CDK user would split the stack: this times CDK's synthesis, not a deployable layout).
const app = new cdk.App({
  outdir,
  analyticsReporting: false,
  context: { "aws:cdk:disable-stack-trace": true, "aws:cdk:disable-creation-stack-traces": true, "@aws-cdk/core:stackResourceLimit": 0 },
});
const stack = new cdk.Stack(app, "Generated", { env: { account: "123456789012", region: "eu-west-1" } });
const buckets = [];
for (let i = 0; i < n; i++) {
  buckets.push(new s3.Bucket(stack, `Store${i}`));
}
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
const assembly = app.synth({ skipValidation });
const done = process.hrtime.bigint();

const template = JSON.parse(fs.readFileSync(path.join(outdir, assembly.getStackByName("Generated").templateFile)));
console.log(
  JSON.stringify({
    resources: Object.keys(template.Resources).length,
    import_s: Number(loaded - start) / 1e9,
    synth_s: Number(done - loaded) / 1e9,
  }),
);
