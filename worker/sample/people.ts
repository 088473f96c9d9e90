// The shared pool of fictional companies, customer contacts and Dinobase-demo staff that every vendor draws from.

import { DAY, Rng } from './prng.ts';

export interface Company {
  name: string;
  domain: string;
  industry: string;
  annualRevenue: number;
  employees: number;
  city: string;
  state: string;
  postalCode: string;
  country: 'US';
  areaCode: string;
}

export interface Person {
  firstName: string;
  lastName: string;
  name: string;
  email: string;
  company: Company;
  jobTitle: string;
  /** E.164, fictional 555-01xx range. */
  phone: string;
  line1: string;
  line2: string | null;
  /** First touch (unix seconds): HubSpot contact creation, shortly before any Stripe signup. */
  since: number;
  inStripe: boolean;
  inHubspot: boolean;
}

export interface StaffMember {
  firstName: string;
  lastName: string;
  email: string;
  role: 'sales' | 'engineering' | 'design' | 'success';
  team: string;
  /** Present for people who also work in the GitHub org. */
  githubLogin: string | null;
}

export interface PeoplePool {
  companies: readonly Company[];
  people: Person[];
  stripe: Person[];
  hubspot: Person[];
}

function words(...lines: string[]): string[] {
  return lines.join(' ').split(' ');
}

// name | domain | industry | annual revenue (USD) | employees | city | state | postal code | area code
const COMPANY_ROWS = [
  'Acme Corp|acme.com|Technology|52000000|260|San Francisco|CA|94105|415',
  'Globex|globex.com|Manufacturing|128000000|940|Chicago|IL|60601|312',
  'Initech|initech.com|Software|34500000|180|Austin|TX|78701|512',
  'Umbrella|umbrella.com|Biotechnology|480000000|3200|Raleigh|NC|27601|919',
  'Stark Industries|starkindustries.com|Aerospace|2100000000|12000|Los Angeles|CA|90012|213',
  'Wayne Enterprises|wayneenterprises.com|Conglomerate|1800000000|9500|New York|NY|10001|212',
  'Hooli|hooli.com|Technology|910000000|6100|Palo Alto|CA|94301|650',
  'Pied Piper|piedpiper.com|Software|12000000|45|Mountain View|CA|94043|650',
  'Soylent|soylent.com|Food & Beverage|76000000|310|Portland|OR|97204|503',
  'Cyberdyne|cyberdyne.com|Robotics|315000000|1400|Sunnyvale|CA|94085|408',
  'Tyrell|tyrell.com|Biotechnology|640000000|2800|Seattle|WA|98101|206',
  'Wonka|wonka.com|Consumer Goods|220000000|1100|Pittsburgh|PA|15222|412',
  'Massive Dynamic|massivedynamic.com|Research|1200000000|5400|Boston|MA|02110|617',
  'Oscorp|oscorp.com|Chemicals|760000000|4100|New York|NY|10017|212',
  'Vandelay Industries|vandelay.com|Logistics|18000000|60|Newark|NJ|07102|973',
  'Dunder Mifflin|dundermifflin.com|Wholesale|42000000|210|Scranton|PA|18503|570',
  'Prestige Worldwide|prestigeworldwide.com|Entertainment|3200000|12|Phoenix|AZ|85004|602',
  'Gringotts|gringotts.com|Financial Services|950000000|2300|Charlotte|NC|28202|704',
  'Monsters Inc|monstersinc.com|Energy|410000000|1900|Denver|CO|80202|303',
  'Aperture Science|aperturescience.com|Research|530000000|2600|Cleveland|OH|44114|216',
];

export const COMPANIES: readonly Company[] = COMPANY_ROWS.map((row) => {
  const [
    name = '',
    domain = '',
    industry = '',
    revenue = '0',
    employees = '0',
    city = '',
    state = '',
    postalCode = '',
    areaCode = '',
  ] = row.split('|');
  return {
    name,
    domain,
    industry,
    annualRevenue: Number(revenue),
    employees: Number(employees),
    city,
    state,
    postalCode,
    country: 'US',
    areaCode,
  };
});

const FIRST_NAMES = words(
  'James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan',
  'Joseph Jessica Thomas Sarah Charles Karen Daniel Lisa Matthew Nancy Anthony Sandra Mark Ashley Steven',
  'Emily Andrew Michelle Joshua Amanda Kevin Melissa Brian Stephanie Ryan Rebecca Jacob Laura Nicholas',
  'Rachel Eric Olivia Jonathan Hannah Samuel Priya Wei Aisha Carlos Sofia Diego Yuki Omar Fatima Raj Mei',
  'Lucas Chloe Ethan Grace Noah Zoe Liam Nora Mateo Leah',
);

const LAST_NAMES = words(
  'Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez',
  'Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark',
  'Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams',
  'Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Patel Chen Kim Singh Wang Okafor Nakamura',
  'Rossi Schmidt Kowalski Murphy Cohen Ali Silva Dubois Jensen Novak Haddad Costa Ito',
);

const JOB_TITLES = (
  'CEO|CTO|CFO|VP of Engineering|VP of Sales|Head of Operations|Director of IT|Engineering Manager|' +
  'Product Manager|Data Analyst|Software Engineer|Marketing Manager|Procurement Lead|RevOps Manager|' +
  'Controller|Head of Data|Customer Success Lead'
).split('|');

const STREETS = (
  'Market St|Main St|Oak Ave|Maple Dr|Pine St|Cedar Ln|Elm St|Washington Blvd|Lake Shore Dr|Park Ave|' +
  'Mission St|Broadway|Congress Ave|Innovation Way|Harbor Blvd'
).split('|');

type StaffRow = [string, string, StaffMember['role'], string, string | null];

// Three of the sales reps also use Linear, so HubSpot owners and Linear users overlap by email.
const STAFF_ROWS: readonly StaffRow[] = [
  ['Morgan', 'Reyes', 'sales', 'Sales West', null],
  ['Jordan', 'Blake', 'sales', 'Sales West', null],
  ['Casey', 'Whitfield', 'sales', 'Sales East', null],
  ['Riley', 'Okonkwo', 'sales', 'Sales East', null],
  ['Avery', 'Lindqvist', 'sales', 'Sales West', null],
  ['Taylor', 'Ng', 'sales', 'Enterprise', null],
  ['Quinn', 'Delgado', 'sales', 'Enterprise', null],
  ['Harper', 'Vance', 'sales', 'Sales East', null],
  ['Maya', 'Chen', 'engineering', 'Engineering', 'maya-chen'],
  ['Lars', 'Eriksen', 'engineering', 'Engineering', 'larse'],
  ['Tomás', 'Ortega', 'engineering', 'Engineering', 'tortega-dev'],
  ['Amara', 'Osei', 'engineering', 'Engineering', 'amaraosei'],
  ['Ben', 'Hoffman', 'engineering', 'Engineering', 'bhoff'],
  ['Sana', 'Qureshi', 'design', 'Design', null],
  ['Felix', 'Wagner', 'design', 'Design', 'fwagner'],
  ['Dana', 'Kaplan', 'success', 'Customer Success', null],
  ['Leo', 'Marchetti', 'success', 'Customer Success', null],
];

const asciiCache = new Map<string, string>();

function asciiLower(text: string): string {
  const hit = asciiCache.get(text);
  if (hit !== undefined) return hit;
  const folded = text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
  asciiCache.set(text, folded);
  return folded;
}

export const STAFF: readonly StaffMember[] = STAFF_ROWS.map(
  ([firstName, lastName, role, team, githubLogin]) => ({
    firstName,
    lastName,
    email: `${asciiLower(firstName)}.${asciiLower(lastName)}@dinobase-demo.com`,
    role,
    team,
    githubLogin,
  }),
);

/** Sizes of the pool for a given Stripe customer count; HubSpot is capped so huge Stripe benchmarks stay fast. */
export function poolSizes(stripeCustomers: number): {
  shared: number;
  stripeOnly: number;
  hubspotOnly: number;
  hubspotShared: number;
} {
  const shared = Math.round((stripeCustomers * 8) / 9);
  const hubspotOnly = Math.min(200, Math.round(stripeCustomers / 9));
  const hubspotShared = Math.min(shared, 2000 - hubspotOnly);
  return { shared, stripeOnly: stripeCustomers - shared, hubspotOnly, hubspotShared };
}

export function buildPeople(rng: Rng, stripeCustomers: number, now: number): PeoplePool {
  const { shared, stripeOnly, hubspotOnly, hubspotShared } = poolSizes(stripeCustomers);
  const total = shared + stripeOnly + hubspotOnly;
  // Bigger companies get more contacts, but sub-linearly so small ones still show up.
  const companyWeights = COMPANIES.map(
    (_, ci) => [ci, Math.pow(COMPANIES[ci]?.employees ?? 1, 0.3)] as const,
  );
  // Occurrences per (first, last, company) so duplicates get a numeric suffix; numeric keys keep 100k people fast.
  const seen = new Uint32Array(FIRST_NAMES.length * LAST_NAMES.length * COMPANIES.length);
  const people: Person[] = [];
  for (let i = 0; i < total; i++) {
    const fi = rng.int(0, FIRST_NAMES.length - 1);
    const li = rng.int(0, LAST_NAMES.length - 1);
    // The first 20 people cover each company once so every domain is used even in tiny pools.
    const ci = i < COMPANIES.length ? i : rng.weighted(companyWeights);
    const firstName = FIRST_NAMES[fi] as string;
    const lastName = LAST_NAMES[li] as string;
    const company = COMPANIES[ci] as Company;
    const slot = (fi * LAST_NAMES.length + li) * COMPANIES.length + ci;
    const dup = (seen[slot] = (seen[slot] ?? 0) + 1);
    const local = `${asciiLower(firstName)}.${asciiLower(lastName)}${dup === 1 ? '' : dup}`;
    const email = `${local}@${company.domain}`;
    const inStripe = i < shared + stripeOnly;
    people.push({
      firstName,
      lastName,
      name: `${firstName} ${lastName}`,
      email,
      company,
      jobTitle: rng.pick(JOB_TITLES),
      phone: rng.digits(2, `+1${company.areaCode}55501`),
      line1: `${rng.int(1, 9899)} ${rng.pick(STREETS)}`,
      line2: rng.chance(0.3) ? `Suite ${rng.int(1, 30) * 10}` : null,
      since: rng.recentBetween(now - 3 * 365 * DAY, now - 2 * DAY),
      inStripe,
      inHubspot: i < hubspotShared || i >= shared + stripeOnly,
    });
  }
  return {
    companies: COMPANIES,
    people,
    stripe: people.filter((p) => p.inStripe),
    hubspot: people.filter((p) => p.inHubspot),
  };
}
