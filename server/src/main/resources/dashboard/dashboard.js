// Patchtide dashboard: reads the dashboard's JSON routes (the API's own answers, behind the session
// cookie) and fills the page. Data only ever goes in through textContent, never as HTML.
'use strict';

const $ = (id) => document.getElementById(id);

async function getJson(path) {
  const response = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (response.status === 401) {
    window.location.assign('/dashboard/login');
    throw new Error('not signed in');
  }
  const body = await response.json();
  if (!response.ok) {
    throw new Error(body.message || ('HTTP ' + response.status));
  }
  return body;
}

async function postJson(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  return { ok: response.ok, body: answer };
}

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text === undefined || text === null ? '' : String(text);
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function tagList(container, tags) {
  container.textContent = '';
  for (const tag of tags || []) {
    const span = document.createElement('span');
    span.className = 'tag';
    span.textContent = tag.Key + '=' + tag.Value;
    if (container.childNodes.length) container.appendChild(document.createTextNode(' '));
    container.appendChild(span);
  }
}

function when(epochSeconds) {
  return epochSeconds ? new Date(epochSeconds * 1000).toLocaleString() : 'never';
}

function groupName(group) {
  return group ? group : '(none)';
}

function showError(error) {
  $('error').textContent = 'Could not load: ' + error.message;
}

function wireSignOut() {
  const button = $('sign-out');
  if (!button) return;
  button.addEventListener('click', async () => {
    await postJson('/dashboard/logout', {});
    window.location.assign('/dashboard/login');
  });
}

async function signInWithLink() {
  const token = new URLSearchParams(window.location.hash.slice(1)).get('token');
  if (!token) return;
  // Drop the one-time token from the address bar and history before using it.
  history.replaceState(null, '', '/dashboard/login');
  $('link-status').textContent = 'Signing in with the login link…';
  const result = await postJson('/dashboard/login/link', { Token: token });
  if (result.ok) {
    window.location.assign('/dashboard/');
    return;
  }
  $('link-status').textContent = 'That login link has expired or was already used. Sign in with a key instead.';
}

async function loginPage() {
  const form = $('login-form');
  // A link opened while this page is already shown only changes the fragment: no reload.
  window.addEventListener('hashchange', signInWithLink);
  await signInWithLink();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    $('login-error').textContent = '';
    const result = await postJson('/dashboard/login', {
      AccessKeyId: $('access-key-id').value.trim(),
      SecretAccessKey: $('secret-access-key').value.trim(),
    });
    if (result.ok) {
      window.location.assign('/dashboard/');
    } else {
      $('login-error').textContent = result.body.message || 'Sign-in failed.';
    }
  });
}

async function fleetPage() {
  try {
    const summary = await getJson('/dashboard/api/summary');
    const total = summary.Total;
    $('total-instances').textContent = total.InstanceCount;
    $('total-compliant').textContent = total.CompliantCount;
    $('total-non-compliant').textContent = total.NonCompliantCount;
    $('total-not-scanned').textContent = total.NotScannedCount;
    $('total-critical').textContent = total.CriticalNonCompliantCount;
    $('total-security').textContent = total.SecurityNonCompliantCount;
    $('total-other').textContent = total.OtherNonCompliantCount;
    $('generated').textContent = 'Counts as of ' + when(summary.GeneratedAt) + ' (refreshed at least every 10 seconds).';
    const body = document.querySelector('#groups tbody');
    body.textContent = '';
    for (const group of summary.PatchGroups) {
      const row = document.createElement('tr');
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = groupName(group.PatchGroup);
      row.appendChild(th);
      for (const field of ['InstanceCount', 'CompliantCount', 'NonCompliantCount', 'NotScannedCount',
        'CriticalNonCompliantCount', 'SecurityNonCompliantCount', 'OtherNonCompliantCount']) {
        cell(row, group[field], 'num');
      }
      body.appendChild(row);
    }
    await loadNonCompliant(null);
  } catch (error) {
    showError(error);
  }
}

async function loadNonCompliant(nextToken) {
  let path = '/dashboard/api/instances?status=NON_COMPLIANT';
  if (nextToken) path += '&nextToken=' + encodeURIComponent(nextToken);
  const page = await getJson(path);
  const body = document.querySelector('#non-compliant tbody');
  for (const instance of page.Instances) {
    const row = document.createElement('tr');
    const nameCell = document.createElement('th');
    nameCell.scope = 'row';
    const link = document.createElement('a');
    link.href = '/dashboard/instance?id=' + encodeURIComponent(instance.InstanceId);
    link.textContent = instance.Name || instance.ComputerName || instance.InstanceId;
    nameCell.appendChild(link);
    row.appendChild(nameCell);
    cell(row, instance.InstanceId, 'mono');
    cell(row, groupName(instance.PatchGroup));
    cell(row, instance.CriticalNonCompliantCount, 'num');
    cell(row, instance.SecurityNonCompliantCount, 'num');
    cell(row, instance.OtherNonCompliantCount, 'num');
    tagList(cell(row, ''), instance.Tags);
    body.appendChild(row);
  }
  $('none-non-compliant').hidden = body.children.length > 0;
  const more = $('more');
  more.hidden = !page.NextToken;
  more.onclick = page.NextToken ? () => loadNonCompliant(page.NextToken).catch(showError) : null;
}

async function instancePage() {
  const id = new URLSearchParams(window.location.search).get('id') || '';
  try {
    const answer = await getJson('/dashboard/api/instances/' + encodeURIComponent(id));
    const instance = answer.Instance;
    const name = instance.Name || instance.ComputerName || instance.InstanceId;
    $('instance-name').textContent = name;
    document.title = name + ' · Patchtide';
    $('instance-id').textContent = instance.InstanceId;
    $('computer-name').textContent = instance.ComputerName || '–';
    $('ping-status').textContent = instance.PingStatus;
    const agent = answer.Agent || {};
    $('agent-version').textContent = !agent.AgentVersion ? '–'
      : agent.IsLatestVersion ? agent.AgentVersion + ' (latest)'
        : agent.AgentVersion + ' (latest shipped: ' + agent.LatestVersion + '; upgrade with Patchtide-UpdateAgent)';
    $('status').textContent = instance.Status;
    $('status').className = 'status-' + instance.Status;
    $('patch-group').textContent = groupName(instance.PatchGroup);
    $('baseline').textContent = instance.BaselineId || '–';
    $('last-scan').textContent = when(instance.LastScanTime);
    $('counts').textContent = instance.MissingCount === undefined ? '–'
      : instance.CriticalNonCompliantCount + ' / ' + instance.SecurityNonCompliantCount + ' / '
        + instance.OtherNonCompliantCount;
    $('reboot').textContent = instance.RebootRequired === undefined ? '–' : (instance.RebootRequired ? 'yes' : 'no');
    tagList($('tags'), instance.Tags);
    const body = document.querySelector('#patches tbody');
    body.textContent = '';
    for (const patch of answer.Patches) {
      const row = document.createElement('tr');
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = patch.Title;
      row.appendChild(th);
      cell(row, patch.KBId, 'mono');
      cell(row, patch.Classification);
      cell(row, patch.Severity);
      cell(row, patch.State);
      cell(row, (patch.CVEIds || '').split(',').filter(Boolean).join(', '));
      body.appendChild(row);
    }
    $('no-patches').hidden = answer.Patches.length > 0;
  } catch (error) {
    showError(error);
  }
}

function statusText(item) {
  const details = item.StatusDetails;
  const status = item.Status || '';
  // Details that only repeat the status ("SUCCESS" / "Success", "InProgress" / "In Progress") are left out.
  return details && details.replace(/ /g, '').toUpperCase() !== status.replace(/_/g, '').toUpperCase() ? status + ' (' + details + ')' : status;
}

function headerCell(row, content) {
  const th = document.createElement('th');
  th.scope = 'row';
  if (typeof content === 'string') th.textContent = content;
  else th.appendChild(content);
  row.appendChild(th);
  return th;
}

function link(href, text) {
  const a = document.createElement('a');
  a.href = href;
  a.textContent = text;
  return a;
}

// Only the server's own http(s) links become links: never a javascript: or data: URL from the data.
function safeUrl(url) {
  return typeof url === 'string' && /^https?:\/\//.test(url) ? url : null;
}

function withToken(path, nextToken) {
  return nextToken ? path + (path.includes('?') ? '&' : '?') + 'nextToken=' + encodeURIComponent(nextToken) : path;
}

function showMore(nextToken, load) {
  const more = $('more');
  more.hidden = !nextToken;
  more.onclick = nextToken ? () => load(nextToken).catch(showError) : null;
}

async function commandsPage() {
  try {
    await loadCommands(null);
  } catch (error) {
    showError(error);
  }
}

async function loadCommands(nextToken) {
  const page = await getJson(withToken('/dashboard/api/commands', nextToken));
  const body = document.querySelector('#commands tbody');
  for (const command of page.Commands) {
    const row = document.createElement('tr');
    headerCell(row, link('/dashboard/command?id=' + encodeURIComponent(command.CommandId), command.CommandId))
      .className = 'mono';
    cell(row, command.DocumentName);
    cell(row, statusText(command), 'status-' + command.Status);
    cell(row, when(command.RequestedDateTime));
    cell(row, command.TargetCount, 'num');
    cell(row, command.CompletedCount, 'num');
    cell(row, command.ErrorCount, 'num');
    cell(row, command.DeliveryTimedOutCount, 'num');
    cell(row, command.Comment);
    body.appendChild(row);
  }
  $('no-commands').hidden = body.children.length > 0;
  showMore(page.NextToken, loadCommands);
}

function parameterText(parameters) {
  return Object.entries(parameters || {}).map(([name, values]) => name + '=' + values.join(',')).join(' ') || '–';
}

function targetText(item) {
  const parts = (item.InstanceIds || []).slice();
  for (const target of item.Targets || []) parts.push(target.Key + '=' + (target.Values || []).join(','));
  return parts.join(' ') || '–';
}

const FINAL_INVOCATION = ['Success', 'Failed', 'TimedOut', 'Cancelled'];

function outputCell(row, invocation) {
  const td = cell(row, '');
  for (const [content, url, label] of [
    ['StandardOutputContent', 'StandardOutputUrl', 'Full output'],
    ['StandardErrorContent', 'StandardErrorUrl', 'Full errors'],
  ]) {
    const text = invocation[content];
    if (!text) continue;
    const pre = document.createElement('pre');
    pre.className = content === 'StandardErrorContent' ? 'output errors' : 'output';
    pre.textContent = text;
    td.appendChild(pre);
    const href = safeUrl(invocation[url]);
    if (href) {
      const a = link(href, label);
      a.className = 'full-output';
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      td.appendChild(a);
    }
  }
}

async function commandPage() {
  const id = new URLSearchParams(window.location.search).get('id') || '';
  try {
    await loadInvocations(id, null);
  } catch (error) {
    showError(error);
  }
}

async function loadInvocations(id, nextToken) {
  const answer = await getJson(withToken('/dashboard/api/commands/' + encodeURIComponent(id), nextToken));
  const command = answer.Command;
  $('command-title').textContent = command.DocumentName + ' · ' + command.CommandId;
  document.title = command.DocumentName + ' · Patchtide';
  $('command-id').textContent = command.CommandId;
  $('document').textContent = command.DocumentName + (command.DocumentVersion ? ' (version ' + command.DocumentVersion + ')' : '');
  $('command-status').textContent = statusText(command);
  $('command-status').className = 'status-' + command.Status;
  $('requested').textContent = when(command.RequestedDateTime);
  $('comment').textContent = command.Comment || '–';
  $('parameters').textContent = parameterText(command.Parameters);
  $('targets').textContent = targetText(command);
  $('rate').textContent = 'max concurrency ' + (command.MaxConcurrency || '–') + ', max errors ' + (command.MaxErrors || '–');
  $('counts').textContent = [command.TargetCount, command.CompletedCount, command.ErrorCount,
    command.DeliveryTimedOutCount].map((n) => n === undefined ? '0' : String(n)).join(' / ');
  const body = document.querySelector('#invocations tbody');
  for (const invocation of answer.Invocations) {
    const row = document.createElement('tr');
    row.dataset.instanceId = invocation.InstanceId;
    headerCell(row, invocation.InstanceName ? invocation.InstanceId + ' (' + invocation.InstanceName + ')' : invocation.InstanceId)
      .className = 'mono';
    cell(row, statusText(invocation), 'status-' + invocation.Status);
    cell(row, FINAL_INVOCATION.includes(invocation.Status) ? invocation.ResponseCode : '', 'num');
    cell(row, invocation.ExecutionStartDateTime);
    cell(row, invocation.ExecutionEndDateTime);
    outputCell(row, invocation);
    body.appendChild(row);
  }
  $('no-invocations').hidden = body.children.length > 0;
  showMore(answer.NextToken, (token) => loadInvocations(id, token));
}

function fact(list, term, value) {
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  dd.textContent = value === undefined || value === null || value === '' ? '–' : String(value);
  list.appendChild(dt);
  list.appendChild(dd);
  return dd;
}

function windowSection(win) {
  const section = document.createElement('section');
  section.className = 'window';
  section.dataset.windowId = win.WindowId;
  const h2 = document.createElement('h2');
  h2.textContent = win.Name;
  section.appendChild(h2);
  const facts = document.createElement('dl');
  facts.className = 'facts';
  fact(facts, 'Window ID', win.WindowId).className = 'mono window-id';
  fact(facts, 'Enabled', win.Enabled ? 'yes' : 'no');
  fact(facts, 'Schedule', win.Schedule).className = 'mono schedule';
  fact(facts, 'Time zone', win.ScheduleTimezone || 'UTC').className = 'timezone';
  if (win.ScheduleOffset !== undefined) fact(facts, 'Offset (days)', win.ScheduleOffset);
  fact(facts, 'Duration / cutoff', win.Duration + ' h / ' + win.Cutoff + ' h');
  if (win.StartDate || win.EndDate) fact(facts, 'Active', (win.StartDate || '–') + ' to ' + (win.EndDate || '–'));
  section.appendChild(facts);

  const nextHeading = document.createElement('h3');
  nextHeading.textContent = 'Next runs';
  section.appendChild(nextHeading);
  const runs = document.createElement('ol');
  runs.className = 'next-runs';
  for (const run of win.NextRuns || []) {
    const li = document.createElement('li');
    li.textContent = run.ExecutionTime;
    runs.appendChild(li);
  }
  section.appendChild(runs);
  if (!runs.children.length) {
    const none = document.createElement('p');
    none.className = 'muted';
    none.textContent = 'No runs scheduled.';
    section.appendChild(none);
  }

  const pastHeading = document.createElement('h3');
  pastHeading.textContent = 'Recent executions';
  section.appendChild(pastHeading);
  const table = document.createElement('table');
  table.className = 'executions';
  const head = table.createTHead().insertRow();
  for (const title of ['Execution ID', 'Status', 'Started', 'Ended', 'Tasks']) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = title;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const execution of win.Executions || []) {
    const row = document.createElement('tr');
    headerCell(row, execution.WindowExecutionId).className = 'mono';
    cell(row, statusText(execution), 'status-' + execution.Status);
    cell(row, execution.StartTime ? when(execution.StartTime) : '');
    cell(row, execution.EndTime ? when(execution.EndTime) : '');
    cell(row, (execution.Tasks || []).map((task) => task.TaskArn + ': ' + statusText(task)).join(', '));
    body.appendChild(row);
  }
  section.appendChild(table);
  if (!body.children.length) {
    const none = document.createElement('p');
    none.className = 'muted';
    none.textContent = 'Not run yet.';
    section.appendChild(none);
  }
  return section;
}

async function windowsPage() {
  try {
    await loadWindows(null);
  } catch (error) {
    showError(error);
  }
}

async function loadWindows(nextToken) {
  const page = await getJson(withToken('/dashboard/api/windows', nextToken));
  const container = $('windows');
  for (const win of page.Windows) container.appendChild(windowSection(win));
  $('no-windows').hidden = container.children.length > 0;
  showMore(page.NextToken, loadWindows);
}

document.addEventListener('DOMContentLoaded', () => {
  wireSignOut();
  const page = document.body.dataset.page;
  if (page === 'login') loginPage();
  else if (page === 'fleet') fleetPage();
  else if (page === 'instance') instancePage();
  else if (page === 'commands') commandsPage();
  else if (page === 'command') commandPage();
  else if (page === 'windows') windowsPage();
});
