// HubSpot CRM v3 sample generator: owners, companies, contacts and deals shaped like the /crm/v3 list endpoints.

import { STAFF, type Person } from './people.ts';
import { DAY, isoMs, type Rng, type Weighted } from './prng.ts';

export type HubSpotProperties = Record<string, string | null>;

export interface HubSpotObject<P extends HubSpotProperties = HubSpotProperties> {
  id: string;
  properties: P;
  createdAt: string;
  updatedAt: string;
  archived: false;
}

type Common = { createdate: string; lastmodifieddate: string; hs_object_id: string };

export type HubSpotContactProperties = Common & {
  email: string;
  firstname: string;
  lastname: string;
  phone: string | null;
  company: string;
  jobtitle: string | null;
  lifecyclestage: string;
  hs_lead_status: string | null;
  city: string;
  state: string;
  country: string;
  associatedcompanyid: string;
  hubspot_owner_id: string;
};

export type HubSpotCompanyProperties = Common & {
  name: string;
  domain: string;
  website: string;
  industry: string;
  annualrevenue: string;
  numberofemployees: string;
  city: string;
  state: string;
  country: string;
  hs_lastmodifieddate: string;
};

export type HubSpotDealProperties = Common & {
  dealname: string;
  amount: string;
  dealstage: string;
  pipeline: string;
  closedate: string;
  dealtype: 'newbusiness' | 'existingbusiness';
  hubspot_owner_id: string;
  hs_lastmodifieddate: string;
};

export interface HubSpotAssociation {
  id: string;
  type: string;
}

export type HubSpotContact = HubSpotObject<HubSpotContactProperties>;
export type HubSpotCompany = HubSpotObject<HubSpotCompanyProperties>;
/** `associations` is what `?associations=contacts,companies` adds; the sandbox decides whether to send it. */
export type HubSpotDeal = HubSpotObject<HubSpotDealProperties> & {
  associations: {
    contacts: { results: HubSpotAssociation[] };
    companies: { results: HubSpotAssociation[] };
  };
};

export interface HubSpotOwner {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  userId: number;
  createdAt: string;
  updatedAt: string;
  archived: false;
  teams: { id: string; name: string; primary: boolean }[];
}

export interface HubSpotData {
  contacts: HubSpotContact[];
  companies: HubSpotCompany[];
  deals: HubSpotDeal[];
  owners: HubSpotOwner[];
}

const CUSTOMER_STAGES: Weighted<string> = [
  ['customer', 0.55],
  ['opportunity', 0.2],
  ['salesqualifiedlead', 0.1],
  ['marketingqualifiedlead', 0.08],
  ['lead', 0.07],
];
const PROSPECT_STAGES: Weighted<string> = [
  ['subscriber', 0.25],
  ['lead', 0.35],
  ['marketingqualifiedlead', 0.25],
  ['salesqualifiedlead', 0.15],
];
const LEAD_STATUS = [
  'NEW',
  'OPEN',
  'IN_PROGRESS',
  'ATTEMPTED_TO_CONTACT',
  'CONNECTED',
  'OPEN_DEAL',
  'BAD_TIMING',
  null,
];
const DEAL_STAGES: Weighted<string> = [
  ['appointmentscheduled', 0.1],
  ['qualifiedtobuy', 0.1],
  ['presentationscheduled', 0.08],
  ['decisionmakerboughtin', 0.07],
  ['contractsent', 0.08],
  ['closedwon', 0.37],
  ['closedlost', 0.2],
];
const DEALS_PER_CONTACT: Weighted<number> = [
  [0, 0.3],
  [1, 0.38],
  [2, 0.32],
];
const FOLLOW_ON = ['Renewal', 'Expansion', 'Upsell'];

interface PendingDeal {
  contact: HubSpotContact;
  person: Person;
  created: number;
  /** Unix seconds the deal was won or lost; null while it is open. */
  closedAt: number | null;
  props: Omit<HubSpotDealProperties, keyof Common | 'hs_lastmodifieddate'>;
}

/** Random ms timestamp in [fromSec, now), for HubSpot's millisecond-precision ISO strings. */
function msBetween(rng: Rng, fromSec: number, now: number): number {
  return rng.between(fromSec, now - 1) * 1000 + rng.int(0, 999);
}

function teamId(ids: Map<string, string>, name: string): string {
  const existing = ids.get(name);
  if (existing) return existing;
  const id = String(41_207_310 + ids.size * 3);
  ids.set(name, id);
  return id;
}

function record<P extends HubSpotProperties>(
  id: string,
  created: number,
  updated: number,
  props: P,
): HubSpotObject<P> {
  return { id, properties: props, createdAt: isoMs(created), updatedAt: isoMs(updated), archived: false };
}

export function generateHubSpot(rng: Rng, people: readonly Person[], now: number): HubSpotData {
  const teamIds = new Map<string, string>();
  const owners: HubSpotOwner[] = STAFF.filter((s) => s.role === 'sales').map((s, i) => {
    const created = (now - (1000 - i * 45) * DAY) * 1000 + rng.int(0, 86_399_999);
    return {
      id: String(70001 + i),
      email: s.email,
      firstName: s.firstName,
      lastName: s.lastName,
      userId: 8_800_000 + rng.int(1000, 99_999),
      createdAt: isoMs(created),
      updatedAt: isoMs(msBetween(rng, created / 1000 + DAY, now)),
      archived: false,
      teams: [{ id: teamId(teamIds, s.team), name: s.team, primary: true }],
    };
  });
  // HubSpot ids grow with creation time, so records are numbered in creation order.
  const contactsPeople = [...people].sort((a, b) => a.since - b.since);

  const firstSeen = new Map<string, number>();
  for (const p of contactsPeople)
    if (!firstSeen.has(p.company.domain)) firstSeen.set(p.company.domain, p.since);
  const companyIds = new Map<string, string>();
  const companies: HubSpotCompany[] = [];
  [...firstSeen.entries()].forEach(([domain, since], i) => {
    const company = people.find((p) => p.company.domain === domain)?.company;
    if (!company) return;
    const id = String(1001 + i);
    companyIds.set(domain, id);
    const created = since * 1000 - rng.int(3_600_000, 72 * 3_600_000);
    const updated = msBetween(rng, since, now);
    companies.push(
      record(id, created, updated, {
        name: company.name,
        domain,
        website: `https://www.${domain}`,
        industry: company.industry,
        annualrevenue: String(company.annualRevenue),
        numberofemployees: String(company.employees),
        city: company.city,
        state: company.state,
        country: 'US',
        createdate: isoMs(created),
        lastmodifieddate: isoMs(updated),
        hs_lastmodifieddate: isoMs(updated),
        hs_object_id: id,
      }),
    );
  });

  const contacts: HubSpotContact[] = [];
  const pendingDeals: PendingDeal[] = [];
  contactsPeople.forEach((p, i) => {
    const id = String(5001 + i);
    const owner = rng.pick(owners);
    const created = p.since * 1000 + rng.int(0, 999);
    const updated = msBetween(rng, p.since, now);
    const stage = rng.weighted(p.inStripe ? CUSTOMER_STAGES : PROSPECT_STAGES);
    const contact = record(id, created, updated, {
      email: p.email,
      firstname: p.firstName,
      lastname: p.lastName,
      phone: rng.chance(0.85) ? p.phone : null,
      company: p.company.name,
      jobtitle: rng.chance(0.9) ? p.jobTitle : null,
      lifecyclestage: stage,
      hs_lead_status: stage === 'customer' ? 'CONNECTED' : rng.pick(LEAD_STATUS),
      city: p.company.city,
      state: p.company.state,
      country: 'US',
      associatedcompanyid: companyIds.get(p.company.domain) ?? '',
      hubspot_owner_id: owner.id,
      createdate: isoMs(created),
      lastmodifieddate: isoMs(updated),
      hs_object_id: id,
    });
    contacts.push(contact);
    const n = rng.weighted(DEALS_PER_CONTACT);
    for (let d = 0; d < n; d++) {
      const dealStage = rng.weighted(DEAL_STAGES);
      const dealCreated = rng.between(p.since, now - 2 * DAY);
      const closed = dealStage === 'closedwon' || dealStage === 'closedlost';
      // Open deals carry an expected close date, which lies ahead of "now" as in any live pipeline.
      const close = closed ? rng.between(dealCreated + DAY, now - 1) : now + rng.int(7, 120) * DAY;
      const size = 1 + Math.log10(p.company.employees) / 2;
      pendingDeals.push({
        contact,
        person: p,
        created: dealCreated * 1000 + rng.int(0, 999),
        closedAt: closed ? close : null,
        props: {
          dealname: `${p.company.name} - ${d === 0 ? 'New Business' : rng.pick(FOLLOW_ON)}`,
          amount: (Math.round((rng.int(4, 80) * 500 * size) / 500) * 500).toFixed(2),
          dealstage: dealStage,
          pipeline: 'default',
          closedate: isoMs(close * 1000),
          dealtype: d === 0 ? 'newbusiness' : 'existingbusiness',
          hubspot_owner_id: owner.id,
        },
      });
    }
  });

  pendingDeals.sort((a, b) => a.created - b.created);
  const deals: HubSpotDeal[] = pendingDeals.map(({ contact, person, created, closedAt, props }, i) => {
    const id = String(9001 + i);
    const updated = msBetween(rng, closedAt ?? Math.floor(created / 1000) + 1, now);
    return {
      ...record(id, created, updated, {
        ...props,
        createdate: isoMs(created),
        lastmodifieddate: isoMs(updated),
        hs_lastmodifieddate: isoMs(updated),
        hs_object_id: id,
      }),
      associations: {
        contacts: { results: [{ id: contact.id, type: 'deal_to_contact' }] },
        companies: {
          results: [{ id: companyIds.get(person.company.domain) ?? '', type: 'deal_to_company' }],
        },
      },
    };
  });
  return { contacts, companies, deals, owners };
}
