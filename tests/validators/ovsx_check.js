// Runs the checks `ovsx publish` makes on a VSIX before it asks for a token, offline,
// with ovsx's own code: the manifest read from the package (ovsx/lib/zip
// readVSIXPackage), its required fields (validateManifest) and its license
// (isLicenseOk: a `license` field or a LICENSE file; Open VSX refuses an extension
// without one). Everything after that in `ovsx publish` talks to the registry (the
// token, the namespace's size limit, the upload) and cannot run without publishing;
// `ovsx verify` and `verify-signature` check a package already signed by the registry.
//
// Usage: node ovsx_check.js OVSX_PREFIX VSIX...
// Prints one line per problem (none = the package passes) and exits 1 on a problem.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const [prefix, ...vsixes] = process.argv.slice(2);
const lib = path.resolve(prefix, 'node_modules', 'ovsx', 'lib');
const { readVSIXPackage, readZip } = require(path.join(lib, 'zip'));
const { validateManifest } = require(path.join(lib, 'util'));
const { isLicenseOk } = require(path.join(lib, 'check-license'));

async function problems(vsix) {
  const out = [];
  let manifest;
  try {
    manifest = await readVSIXPackage(vsix);
  } catch (e) {
    return [`${vsix}: ovsx cannot read the package: ${e.message}`];
  }
  try {
    validateManifest(manifest);
  } catch (e) {
    return [`${vsix}: ${e.message}`];
  }
  // isLicenseOk reads an extension folder: the package's own files, unpacked.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovsx-check-'));
  try {
    const files = await readZip(vsix, (name) => /^extension\/[^/]+$/.test(name));
    for (const [name, bytes] of files) {
      fs.writeFileSync(path.join(dir, name.slice('extension/'.length)), bytes);
    }
    if (!(await isLicenseOk(dir, manifest))) {
      out.push(`${vsix}: no license (Open VSX refuses an extension without one)`);
    }
  } catch (e) {
    out.push(`${vsix}: ${e.message}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

(async () => {
  let failed = false;
  for (const vsix of vsixes) {
    for (const p of await problems(vsix)) {
      console.log(p);
      failed = true;
    }
  }
  process.exit(failed ? 1 : 0);
})();
