// Runs jsforce — a widely used Salesforce client, unchanged — against leadline-sfsim, the way an
// integration would use it against a real org: connect with an instance URL and tokens,
// describe, create one record and a collection, query (with paging and jsforce's own SOQL
// builder), meet an error, lose the access token and refresh on 401, then revoke the refresh
// token. Prints one JSON summary on stdout; exits non-zero if a step threw.
//
// Environment: SFSIM_BASE_URL (instance and login URL), SFSIM_ACCESS_TOKEN, SFSIM_REFRESH_TOKEN.

import jsforce from 'jsforce';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const jsforceVersion = require('jsforce/package.json').version;

const base = process.env.SFSIM_BASE_URL;
const accessToken = process.env.SFSIM_ACCESS_TOKEN;
const refreshToken = process.env.SFSIM_REFRESH_TOKEN;
if (!base || !accessToken || !refreshToken) {
  console.error('set SFSIM_BASE_URL, SFSIM_ACCESS_TOKEN and SFSIM_REFRESH_TOKEN');
  process.exit(2);
}

const COMPANY = 'jsforce compat';
const summary = { jsforceVersion, steps: [] };
let failed = false;

async function step(name, fn) {
  try {
    summary[name] = await fn();
    summary.steps.push(name);
  } catch (err) {
    failed = true;
    summary[name] = { threw: { name: err.name, errorCode: err.errorCode, message: err.message } };
  }
}

const conn = new jsforce.Connection({
  instanceUrl: base,
  accessToken,
  refreshToken,
  oauth2: {
    clientId: 'leadline-practice',
    loginUrl: base,
    redirectUri: 'http://localhost:8711/oauth/callback',
  },
});
summary.apiVersion = conn.version;
const refreshes = [];
conn.on('refresh', (newToken) => refreshes.push(newToken));

await step('describe', async () => {
  const d = await conn.sobject('Lead').describe();
  const lastName = d.fields.find((f) => f.name === 'LastName');
  return {
    name: d.name,
    keyPrefix: d.keyPrefix,
    createable: d.createable,
    lastNameRequired: Boolean(lastName && lastName.createable && !lastName.nillable && !lastName.defaultedOnCreate),
  };
});

let firstId;
await step('createOne', async () => {
  const r = await conn.sobject('Lead').create({ LastName: "O'Compat", Company: COMPANY, Email: 'one@compat.example' });
  firstId = r.id;
  return { success: r.success, id: r.id, errors: r.errors };
});

await step('createMany', async () => {
  const rs = await conn.sobject('Lead').create([
    { LastName: 'Compat A', Company: COMPANY },
    { LastName: 'Compat B', Company: COMPANY },
    { LastName: 'Compat C', Company: COMPANY },
  ]);
  return { count: rs.length, allSuccess: rs.every((r) => r.success), ids: rs.map((r) => r.id) };
});

await step('createBulk', async () => {
  // 250 records: jsforce splits them into two sObject Collections calls (200 + 50).
  const records = Array.from({ length: 250 }, (_, i) => ({ LastName: `Bulk ${i}`, Company: 'jsforce bulk' }));
  const rs = await conn.sobject('Lead').create(records, { allowRecursive: true });
  return { count: rs.length, allSuccess: rs.every((r) => r.success) };
});

await step('query', async () => {
  const res = await conn.query(`SELECT Id, LastName, Email FROM Lead WHERE Company = '${COMPANY}' ORDER BY LastName`);
  return {
    totalSize: res.totalSize,
    done: res.done,
    lastNames: res.records.map((r) => r.LastName),
    types: [...new Set(res.records.map((r) => r.attributes.type))],
    firstEmail: res.records.find((r) => r.Id === firstId)?.Email ?? null,
  };
});

await step('queryMore', async () => {
  // Pages of 200 make jsforce follow nextRecordsUrl.
  const res = await conn.query("SELECT Id FROM Lead WHERE Company = 'jsforce bulk'", {
    autoFetch: true,
    maxFetch: 10000,
    headers: { 'Sforce-Query-Options': 'batchSize=200' },
  });
  return { totalSize: res.totalSize, fetched: res.records.length, unique: new Set(res.records.map((r) => r.Id)).size };
});

await step('find', async () => {
  // jsforce writes the SOQL here, escaping the quote itself.
  const rows = await conn.sobject('Lead').find({ LastName: "O'Compat", Company: COMPANY }, ['Id', 'LastName']).sort({ LastName: 1 });
  const count = await conn.sobject('Lead').count({ Company: COMPANY });
  return { found: rows.map((r) => r.LastName), count };
});

await step('error', async () => {
  let single;
  try {
    await conn.sobject('Lead').create({ Company: 'No Last Name' });
    single = { threw: false };
  } catch (err) {
    single = { threw: true, errorCode: err.errorCode, message: err.message, fields: err.data?.fields ?? null };
  }
  const [good, bad] = await conn.sobject('Lead').create([
    { LastName: 'Collection ok', Company: COMPANY },
    { Company: 'Collection missing last name' },
  ]);
  let badQuery;
  try {
    await conn.query('SELECT Id, Nope__c FROM Lead');
    badQuery = { threw: false };
  } catch (err) {
    badQuery = { threw: true, errorCode: err.errorCode };
  }
  return {
    single,
    collection: { goodSuccess: good.success, badSuccess: bad.success, badErrors: bad.errors },
    badQuery,
  };
});

await step('refreshOn401', async () => {
  const before = conn.accessToken;
  const revoke = await fetch(`${base}/services/oauth2/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: before }),
  });
  const res = await conn.query(`SELECT Id FROM Lead WHERE Id = '${firstId}'`);
  return {
    revokeStatus: revoke.status,
    refreshEvents: refreshes.length,
    tokenChanged: conn.accessToken !== before,
    newTokenFromEvent: refreshes[0] === conn.accessToken,
    totalSize: res.totalSize,
  };
});

await step('revokeRefresh', async () => {
  await conn.oauth2.revokeToken(refreshToken);
  let after;
  try {
    await conn.query('SELECT COUNT() FROM Lead');
    after = { threw: false };
  } catch (err) {
    after = { threw: true, message: err.message };
  }
  return { revoked: true, after, refreshEvents: refreshes.length };
});

summary.failed = failed;
console.log(JSON.stringify(summary, null, 2));
process.exit(failed ? 1 : 0);
