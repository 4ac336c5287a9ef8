import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  findOnPath,
  installPlan,
  isDebian,
  missingPackages,
  parsePackageList,
  readPackageList,
  type SystemPackage,
} from '../../scripts/system-packages.mjs';

const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n';
const UBUNTU = 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n';
const FEDORA = 'NAME="Fedora Linux"\nID=fedora\nVERSION_ID=40\n';
const pkg = (name: string, command = name): SystemPackage => ({
  name,
  command,
  neededFor: 'browser',
  why: `why ${name}`,
});

describe('system packages (scripts/system-packages.mjs)', () => {
  it('reads every line of the project list as package, command, what needs it and why', () => {
    const list = readPackageList();
    assert.ok(list.length >= 4);
    const chromium = list.find((p) => p.name === 'chromium');
    assert.equal(chromium?.command, 'chromium');
    assert.equal(chromium?.neededFor, 'browser');
    assert.equal(list.find((p) => p.name === 'ripgrep')?.command, 'rg');
    assert.equal(list.find((p) => p.name === 'kcat')?.neededFor, 'integration');
    for (const p of list) assert.ok(p.why.split(' ').length >= 3, `${p.name} says why it is needed`);
  });

  it('refuses a line without a command, a known need and a reason, naming the file and line', () => {
    assert.throws(
      () => parsePackageList('# comment\nchromium chromium browser the browser\nkcat\n', 'list.txt'),
      /list\.txt:3: expected "package command needed-for why".*got "kcat"/,
    );
    assert.throws(
      () => parsePackageList('kcat kcat tests a Kafka client\n', 'list.txt'),
      /list\.txt:1: .*one of browser, code-server, integration/,
    );
  });

  it('finds a command only as an executable file on PATH', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kw-path-'));
    fs.writeFileSync(path.join(dir, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'data'), 'not a program', { mode: 0o644 });
    fs.mkdirSync(path.join(dir, 'folder'));
    const pathVar = ['/nonexistent', dir].join(path.delimiter);
    assert.equal(findOnPath('tool', pathVar), path.join(dir, 'tool'));
    assert.equal(findOnPath('data', pathVar), null);
    assert.equal(findOnPath('folder', pathVar), null);
    fs.rmSync(dir, { recursive: true });
  });

  it('counts a package as missing when its command is not on PATH, for the needs asked about only', () => {
    const saved = process.env.PATH;
    const list: SystemPackage[] = [
      { ...pkg('node-js', 'node'), neededFor: 'integration' },
      pkg('surely-absent', 'kw-surely-absent-command'),
    ];
    try {
      process.env.PATH = path.dirname(process.execPath);
      assert.deepEqual(
        missingPackages(['browser', 'integration'], list).map((p) => p.name),
        ['surely-absent'],
      );
      assert.deepEqual(missingPackages(['integration'], list), []);
    } finally {
      process.env.PATH = saved;
    }
  });

  it('tells Debian and its derivatives from other systems', () => {
    assert.equal(isDebian(DEBIAN), true);
    assert.equal(isDebian(UBUNTU), true);
    assert.equal(isDebian(FEDORA), false);
    assert.equal(isDebian(''), false, 'no /etc/os-release (macOS)');
  });

  it('installs as root on Debian, saying which packages and why before it does', () => {
    const plan = installPlan({ missing: [pkg('chromium'), pkg('kcat')], isRoot: true, osReleaseText: DEBIAN });
    assert.equal(plan.action, 'install');
    assert.equal(plan.command, 'apt-get update && apt-get install -y chromium kcat');
    assert.match(
      plan.message,
      /needs 2 Debian packages that are missing here:\n {2}chromium {2}why chromium\n {2}kcat {6}why kcat\n/,
    );
  });

  it('refuses without root and gives the exact sudo command', () => {
    const plan = installPlan({ missing: [pkg('ripgrep', 'rg')], isRoot: false, osReleaseText: DEBIAN });
    assert.equal(plan.action, 'refuse');
    assert.equal(plan.command, 'sudo apt-get update && sudo apt-get install -y ripgrep');
    assert.match(
      plan.message,
      /a Debian package that is missing here:\n {2}ripgrep {2}why ripgrep\nInstalling them needs root/,
    );
    assert.ok(plan.message.includes(`\n    ${plan.command}\n`), 'the command stands on a line of its own');
  });

  it('refuses on another system, naming the commands that must be on PATH and the Debian command', () => {
    const plan = installPlan({
      missing: [pkg('ripgrep', 'rg'), pkg('libkrb5-dev', 'krb5-config')],
      isRoot: true,
      osReleaseText: FEDORA,
    });
    assert.equal(plan.action, 'refuse');
    assert.match(plan.message, /This is not Debian.*these commands are on PATH: rg, krb5-config\./);
    assert.ok(plan.message.includes('\n    apt-get update && apt-get install -y ripgrep libkrb5-dev\n'));
  });
});
