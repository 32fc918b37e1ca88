/**
 * Jest global setup. The AWS SDK for JavaScript v3 warns on Node.js < 22 that versions published after early
 * January 2027 need Node 22 (NodeVersionSupportWarning). It remembers the warning per module registry, and Jest gives
 * every test file its own, so a test run printed it once per file that creates an SDK client. Here it is said once
 * for the whole run; the SDK's own warning is turned off for the test processes and the CLI processes they start
 * (AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED, the SDK's switch). The CLI itself still shows it, once per run.
 */
'use strict';

const SDK_NODE_MAJOR = 22;

module.exports = async function sdkNodeVersionNotice() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < SDK_NODE_MAJOR && process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED !== 'true') {
    process.stderr.write(
      `\nNode.js ${process.version}: the AWS SDK for JavaScript v3 versions published after early January 2027 need ` +
        `Node.js >= ${SDK_NODE_MAJOR} (this project supports Node.js 20 and newer; see docs/cli.md#nodejs-versions).\n`,
    );
  }
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
};
