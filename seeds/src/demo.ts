// The small demo ledger written on the first `npm start`: a few dozen signed events from demo
// organisations in Hohhot and around it, chained from farm collections to a shop's sales, so a new
// user sees (and can verify) a non-empty ledger at once. Keys are made here and forgotten: the
// demo organisations sign nothing after seeding.
import { kindInfo, withGs1CheckDigit } from '@milkchain/domain';
import { canonicalBytes, eventIdFromBytes, generateOrgKey, signEventId, type LedgerEvent } from '@milkchain/ledger';
import { admit, Operator, OrgKeyCache, type LedgerStore, type LogKey, type Sequencer } from '@milkchain/ledger-service';

const ORGS = {
  farmTumed: 'org_tumed_left_pasture', // 土默特左旗
  farmHoringer: 'org_horinger_pasture', // 和林格尔
  farmTogtoh: 'org_togtoh_coop', // 托克托
  collector: 'org_saihan_collect',
  dairy: 'org_hohhot_dairy',
  lab: 'org_nmg_dairy_lab',
  carrier: 'org_caoyuan_coldchain',
  shop: 'org_qingcheng_mart',
} as const;

type Org = (typeof ORGS)[keyof typeof ORGS];

function from(kind: string, org: Org, subject: string, prev: string | null, inputs: string[], occurredAt: string, data: Record<string, unknown> = {}): LedgerEvent {
  const fixture = kindInfo(kind, 1)!.fixture as LedgerEvent;
  return { ...fixture, org, subject, prev, inputs, occurredAt, data: { ...fixture.data, ...data } };
}

export async function seedDemo(ledger: { store: LedgerStore; sequencer: Sequencer; logKey: LogKey }, operatorOrg = 'org_milkchain') {
  const operator = new Operator({ ...ledger, operatorOrg, clock: () => new Date() });
  const keys = new Map<Org, Awaited<ReturnType<typeof generateOrgKey>>>();
  for (const org of Object.values(ORGS)) {
    const key = await generateOrgKey();
    await operator.registerOrgKey(org, { jwk: key.publicJwk });
    keys.set(org, key);
  }
  const cache = new OrgKeyCache(ledger.store);
  let count = 0;
  async function record(event: LedgerEvent): Promise<string> {
    const id = eventIdFromBytes(canonicalBytes(event));
    const key = keys.get(event.org as Org)!;
    await ledger.sequencer.submit(await admit({ events: [event], signatures: [await signEventId(id, key.privateJwk, key.kid)] }, cache));
    count++;
    return id;
  }

  const farms = [ORGS.farmTumed, ORGS.farmHoringer, ORGS.farmTogtoh];
  for (const day of [20, 21, 22]) {
    const d = `2026-11-${day}`;
    const slip = `JJD-150102-202611${day}-0`;
    const collections: string[] = [];
    for (const [i, farm] of farms.entries()) {
      collections.push(
        await record(
          from('milk.collected', farm, `urn:milkchain:collection:${farm}-${d}`, null, [], `${d}T06:1${i}:00+08:00`, {
            volumeL: 1200 + 310 * i + day,
            tankTemperatureC: 3.2 + i * 0.3,
            milkingWindow: { start: `${d}T04:30:00+08:00`, end: `${d}T06:00:00+08:00` },
            handoverSlipNo: `${slip}${i + 1}`,
            animalsExcluded: [],
          }),
        ),
      );
    }
    const load = `urn:milkchain:load:saihan-${d}`;
    const transported = await record(
      from('milk.transported', ORGS.collector, load, null, collections, `${d}T07:05:00+08:00`, {
        loadedAt: `${d}T06:40:00+08:00`,
        readings: [
          { at: `${d}T06:45:00+08:00`, temperatureC: 3.8 },
          { at: `${d}T07:00:00+08:00`, temperatureC: 3.9 },
        ],
      }),
    );
    const received = await record(from('milk.received', ORGS.dairy, load, transported, [], `${d}T08:20:00+08:00`));
    const sample = `urn:milkchain:sample:S-${d}-0412`;
    const taken = await record(from('sample.taken', ORGS.lab, sample, null, [received], `${d}T08:35:00+08:00`, { sampleId: `S-${d}-0412`, sampledFrom: load }));
    const protein = await record(from('lab.result.recorded', ORGS.lab, sample, taken, [], `${d}T10:42:00+08:00`, { sampleId: `S-${d}-0412` }));
    const batch = `urn:milkchain:batch:HD-P1-${d}`;
    const produced = await record(
      from('batch.produced', ORGS.dairy, batch, null, [received, protein], `${d}T13:30:00+08:00`, {
        batchId: `HD-P1-${d}`,
        inputs: [{ subject: load, quantity: { value: 3700, unit: 'L' } }],
      }),
    );
    const lotCode = `2611${day}P1B`;
    const lot = `urn:milkchain:lot:06901234000016:${lotCode}`;
    const packed = await record(
      from('lot.packed', ORGS.dairy, lot, null, [produced], `${d}T15:10:00+08:00`, { lot: lotCode, productionDate: d, bestBefore: `2026-11-${day + 7}` }),
    );
    const sscc = withGs1CheckDigit(`00690123400000${day}0`.slice(0, 17));
    const shipment = `urn:milkchain:shipment:${sscc}`;
    const lots = [{ gtin: '06901234000016', lot: lotCode, quantity: 4800 }];
    const dispatched = await record(
      from('shipment.dispatched', ORGS.dairy, shipment, null, [packed], `2026-11-${day + 1}T05:40:00+08:00`, { sscc, lots }),
    );
    const next = `2026-11-${day + 1}`;
    const excursion = day === 21;
    const temps = await record(
      from('shipment.temperature.reported', ORGS.carrier, shipment, dispatched, [], `${next}T08:00:00+08:00`, {
        sscc,
        readings: [
          { at: `${next}T06:00:00+08:00`, temperatureC: 3.9 },
          { at: `${next}T06:30:00+08:00`, temperatureC: excursion ? 6.8 : 4.4 },
          { at: `${next}T07:00:00+08:00`, temperatureC: 4.6 },
        ],
        excursions: excursion ? [{ start: `${next}T06:20:00+08:00`, end: `${next}T06:45:00+08:00`, peakC: 6.8 }] : [],
      }),
    );
    await record(from('shipment.received', ORGS.shop, shipment, temps, [], `${next}T08:15:00+08:00`, { sscc, lots }));
    await record(from('lot.sold', ORGS.shop, lot, packed, [], `${next}T22:00:00+08:00`, { lot: lotCode, day: next }));
  }
  return { events: count + Object.keys(ORGS).length, orgs: Object.keys(ORGS).length };
}
