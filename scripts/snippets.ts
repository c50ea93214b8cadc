// Writes snippets/dm-delegation.json from the message table: one snippet per message and variant.
// `npm run snippets` regenerates it; a unit test fails when the file and the table disagree.
import { writeFileSync } from 'node:fs';
import { allSkeletonTargets, skeleton } from '../server/src/core/delegation/build.ts';
import { citation, messageByRoot } from '../server/src/core/delegation/messages.ts';

type Snippets = Record<string, { prefix: string[]; body: string[]; description: string }>;

export function delegationSnippets(): Snippets {
  const out: Snippets = {};
  for (const t of allSkeletonTargets()) {
    const key = t.message.variants.length > 1 ? `${t.message.name} (${t.variant.label})` : t.message.name;
    out[key] = {
      prefix: [t.message.root, `dm-${t.message.root.replace(/_/g, '-')}`],
      body: skeleton(t.message, t.variant, { snippet: true }).split('\n'),
      description: `${t.message.title}: ${t.message.summary} (${citation(t.message, t.variant)})`,
    };
  }
  return out;
}

/** One HTTP exchange per POSTed message: the request and its response (Delegation 5.3). */
export function exchangeSnippets(): Snippets {
  const out: Snippets = {};
  for (const t of allSkeletonTargets()) {
    const transport = t.message.transport;
    if (transport.kind !== 'post') continue;
    const key = t.message.variants.length > 1 ? `${t.message.name} exchange (${t.variant.label})` : `${t.message.name} exchange`;
    const body = [
      'POST https://${1:dms.example.com}/${2:dm/delegation} HTTP/1.1',
      'Content-Type: application/vnd.dm.delegation+xml',
      ...(transport.response === 'no-content' ? [] : ['Accept: application/vnd.dm.delegation+xml']),
      '',
      ...skeleton(t.message, t.variant, { declaration: true }).trimEnd().split('\n'),
      '',
    ];
    if (transport.response === 'no-content') body.push('HTTP/1.1 204 No Content', '$0');
    else {
      const answer = messageByRoot(transport.response)!;
      body.push('HTTP/1.1 200 OK', 'Content-Type: application/vnd.dm.delegation+xml', '', ...skeleton(answer, answer.variants[0], { declaration: true }).trimEnd().split('\n'), '$0');
    }
    out[key] = {
      prefix: [`post-${t.message.root}`, `dm-${t.message.root.replace(/_/g, '-')}-exchange`],
      body,
      description: `HTTP exchange: ${t.message.name} ${transport.response === 'no-content' ? 'and its 204 No Content' : `and the ${transport.response} it answers with`} (Delegation 5.3, ${citation(t.message, t.variant)})`,
    };
  }
  return out;
}

/** DM 2.0 packages (7.2.1), one skeleton per kind, valid once the placeholders are filled. */
export function packageSnippets(): Snippets {
  return {
    'Package#1': {
      prefix: ['pkg1', 'dm-package1'],
      body: ['{', ' "MOS": [', '  {"DDF": "${1:http://www.vendor.com/DDF/devinfo1.0.ddf}", "MOID": "${2:urn:oma:mo:oma-dm-devinfo:1.0}", "MIID": ["${3:miid1}"]}', ' ],', ' "Alert": [', '  {"AlertType": "${4:urn:oma:at:dm:2.0:ClientInitiatedMgmt}"}', ' ]', '}', '$0'],
      description: 'Package#1: DM Session initiation with the supported MOs and a Client Initiated Alert (DM 2.0 5.2.2, 7.2.1.1)',
    },
    'Package#2': {
      prefix: ['pkg2', 'dm-package2'],
      body: ['{', ' "CMD": [', '  ["GET", "${1:urn:oma:mo:oma-dm-devinfo:1.0//DevID}"],', '  ["HPUT", "${2:https://dr.example.com/[DevID]}", "${3:urn:oma:mo:oma-sessioninfomo:1.0//}"],', '  ["END"]', ' ]', '}', '$0'],
      description: 'Package#2: DM commands, processed in order (DM 2.0 5.2.3, 7.2.1.2)',
    },
    'Package#3': {
      prefix: ['pkg3', 'dm-package3'],
      body: ['{', ' "Status": [', '  {"sc": ${1:200}},', '  {"sc": ${2:200}, "URI": ["${3:urn:oma:mo:oma-dcmo:1.0/usb/}"]}', ' ]', '}', '$0'],
      description: 'Package#3: one status per command of the Package#2 (DM 2.0 5.2.4, 7.2.1.3)',
    },
    'MO data': {
      prefix: ['dmmo', 'dm-mo-data'],
      body: ['[', ' {', '  "DDF": "${1:http://www.vendor.com/DDF/devinfo1.0.ddf}",', '  "ClientURI": "${2:urn:oma:mo:oma-dm-devinfo:1.0//}",', '  "MOData": {', '   "${3:miid1}": {"DevID": "${4:IMEI:493005100592800}"}', '  }', ' }', ']', '$0'],
      description: 'MO serialization: [{DDF?, ClientURI, CV?, MOData}] (DM 2.0 7.2.1.4)',
    },
    'Generic Alert': {
      prefix: ['alert', 'dm-generic-alert'],
      body: ['{', ' "Alert": [', '  {', '   "AlertType": "${1:urn:oma:at:dm:2.0:ServerInitiatedMgmt}",', '   "Mark": "${2:informational}",', '   "DataType": "${3:application/json}",', '   "Data": {"NOTIFICATION-ID": ${4:4711}}', '  }', ' ]', '}', '$0'],
      description: 'Generic Alert (DM 2.0 5.4, 7.2.1.5, Appendix D)',
    },
  };
}

/** DM 2.0 HTTP exchanges: each package as it travels (5.2, 7.2.1, Appendix F). */
export function dm20ExchangeSnippets(): Snippets {
  const post = (type: string): string[] => ['POST ${1:/dmserver/dm20} HTTP/1.1', 'Host: ${2:dms.example.com}', `Content-Type: ${type}`, 'Accept: application/vnd.oma.dm.request+json', 'OMADM-DevID: ${3:IMEI:493005100592800}', ''];
  return {
    'Package#1 exchange': {
      prefix: ['post-package1', 'dm-package1-exchange'],
      body: [...post('application/vnd.oma.dm.initiation+json'), '{"Alert": [{"AlertType": "urn:oma:at:dm:2.0:ClientInitiatedMgmt"}]}', '', 'HTTP/1.1 200 OK', 'Content-Type: application/vnd.oma.dm.request+json', '', '{"CMD": [["GET", "${4:urn:oma:mo:oma-dm-devinfo:1.0//DevID}"]]}', '$0'],
      description: 'Package#1 POSTed with OMADM-DevID, and the Package#2 in its response (DM 2.0 5.2.2, 5.2.3)',
    },
    'Package#3 exchange': {
      prefix: ['post-package3', 'dm-package3-exchange'],
      body: [...post('application/vnd.oma.dm.response+json'), '{"Status": [{"sc": ${4:200}}]}', '', 'HTTP/1.1 200 OK', 'Content-Type: application/vnd.oma.dm.request+json', '', '{"CMD": [["END"]]}', '$0'],
      description: 'Package#3 POSTed with OMADM-DevID, and the Package#2 (END) in its response (DM 2.0 5.2.3, 5.2.4)',
    },
    'MO data exchange (HGET)': {
      prefix: ['get-mo-data', 'dm-mo-data-exchange'],
      body: ['GET ${1:/dr/new_mo} HTTP/1.1', 'Host: ${2:dr.example.com}', 'Accept: application/dmmo+json', '', 'HTTP/1.1 200 OK', 'Content-Type: application/dmmo+json', '', '[{"ClientURI": "${3:urn:oma:mo:oma-dcmo:1.0//}", "MOData": {"${4:usb}": {"Property": "USB"}}}]', '$0'],
      description: 'The HTTP GET an HGET makes to the Data Repository, and the MO data it gets (DM 2.0 5.3.1, 7.2.1.4)',
    },
    'Package#3 multipart exchange': {
      prefix: ['post-package3-multipart', 'dm-package3-multipart'],
      body: [...post('multipart/form-data; boundary=omadm-part'), '--omadm-part', 'Content-Disposition: form-data', 'Content-Type: application/vnd.oma.dm.response+json', '', '{"Status": [{"sc": 200}]}', '--omadm-part', 'Content-Disposition: form-data; name="0"', 'Content-Type: text/plain', '', '${4:IMEI:493005100592800}', '--omadm-part--', '$0'],
      description: 'Package#3 with the data of a GET: multipart/form-data, part "0" (DM 2.0 Appendix F)',
    },
  };
}

export const SNIPPETS_FILE = 'snippets/dm-delegation.json';
export const PACKAGE_SNIPPETS_FILE = 'snippets/dm-json.json';
export const EXCHANGE_SNIPPETS_FILE = 'snippets/dm-http.json';

if (process.argv[1]?.endsWith('snippets.ts')) {
  writeFileSync(SNIPPETS_FILE, JSON.stringify(delegationSnippets(), null, 2) + '\n');
  writeFileSync(EXCHANGE_SNIPPETS_FILE, JSON.stringify({ ...exchangeSnippets(), ...dm20ExchangeSnippets() }, null, 2) + '\n');
  writeFileSync(PACKAGE_SNIPPETS_FILE, JSON.stringify(packageSnippets(), null, 2) + '\n');
  console.log(`wrote ${SNIPPETS_FILE}, ${EXCHANGE_SNIPPETS_FILE} and ${PACKAGE_SNIPPETS_FILE}`);
}
