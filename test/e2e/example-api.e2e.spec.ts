import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import {
  DATABASE_ADAPTER,
  PaymentRepository,
  PaymentStatus,
  SubscriptionRepository,
  SubscriptionStatus,
  type IDatabaseAdapter,
} from '../../src';
import { AppModule } from '../../examples/api/api.module';
import { makeTempSqliteDir } from '../module/temp-sqlite';
import { bootApp } from './example-app';

const tmp = makeTempSqliteDir('e2e-api');
let app: INestApplication;
let http: ReturnType<typeof request>;

beforeAll(async () => {
  app = await bootApp([
    AppModule.register({ provider: 'sqlite', sqlite: { path: tmp.file() }, env: {} }, {}),
  ]);
  http = request(app.getHttpServer());
});

afterAll(async () => {
  await app.close();
  tmp.cleanup();
});

const person = (n: number, extra: Record<string, unknown> = {}) => ({
  email: `Person${n}@Example.com`,
  firstName: `First${n}`,
  lastName: n % 2 === 0 ? 'Even' : 'Odd',
  password: 'correct horse battery',
  ...extra,
});

describe('example API: users', () => {
  let id: string;

  it('POST /users creates a user without ever returning the password hash', async () => {
    const res = await http.post('/users').send(person(1)).expect(201);
    id = res.body.id;
    expect(res.body).toMatchObject({
      email: 'person1@example.com',
      role: 'User',
      status: 'Active',
    });
    expect(res.body).not.toHaveProperty('passwordHash');
    expect(JSON.stringify(res.body)).not.toContain('scrypt');
  });

  it('POST /users with the same email (any case) is 409 with no SQL or driver text', async () => {
    const res = await http
      .post('/users')
      .send(person(1, { email: 'PERSON1@example.com' }))
      .expect(409);
    expect(res.body).toEqual({
      statusCode: 409,
      code: 'UNIQUE_VIOLATION',
      message: 'A record with this value already exists',
      details: { table: 'users', field: 'email' },
    });
  });

  it('POST /users with bad input is 400 from the ValidationPipe', async () => {
    await http
      .post('/users')
      .send({ email: 'not-an-email', firstName: '', lastName: 'X' })
      .expect(400);
    await http
      .post('/users')
      .send({ ...person(2), isAdmin: true })
      .expect(400);
  });

  it('GET /users/:id returns the user; unknown id 404; malformed id 400', async () => {
    const res = await http.get(`/users/${id}`).expect(200);
    expect(res.body.id).toBe(id);
    expect(res.body).not.toHaveProperty('passwordHash');
    const missing = await http.get('/users/00000000-0000-4000-8000-000000000000').expect(404);
    expect(missing.body).toMatchObject({ statusCode: 404, code: 'RECORD_NOT_FOUND' });
    await http.get('/users/not-a-uuid').expect(400);
  });

  it('PATCH /users/:id updates; an unknown id is 404', async () => {
    const res = await http
      .patch(`/users/${id}`)
      .send({ firstName: 'Renamed', emailVerified: true })
      .expect(200);
    expect(res.body).toMatchObject({ firstName: 'Renamed', emailVerified: true });
    await http
      .patch('/users/00000000-0000-4000-8000-000000000000')
      .send({ firstName: 'Nobody' })
      .expect(404);
  });

  it('DELETE /users/:id soft-deletes, and POST /users/:id/restore brings the user back', async () => {
    await http.delete(`/users/${id}`).expect(204);
    await http.get(`/users/${id}`).expect(404);
    await http.delete(`/users/${id}`).expect(404);
    const listed = await http.get('/users').query({ includeDeleted: 'true' }).expect(200);
    expect(listed.body.data.map((u: { id: string }) => u.id)).toContain(id);
    const restored = await http.post(`/users/${id}/restore`).expect(200);
    expect(restored.body.deletedAt).toBeNull();
    await http.get(`/users/${id}`).expect(200);
  });

  it('GET /users filters, searches and pages by offset', async () => {
    for (const n of [2, 3, 4, 5, 6]) await http.post('/users').send(person(n)).expect(201);
    await http
      .post('/users')
      .send(person(7, { status: 'Suspended' }))
      .expect(201);

    const suspended = await http.get('/users').query({ status: 'Suspended' }).expect(200);
    expect(suspended.body.data.map((u: { email: string }) => u.email)).toEqual([
      'person7@example.com',
    ]);

    const even = await http.get('/users').query({ search: 'even', sort: 'email' }).expect(200);
    expect(even.body.data.map((u: { email: string }) => u.email)).toEqual([
      'person2@example.com',
      'person4@example.com',
      'person6@example.com',
    ]);

    const page2 = await http.get('/users').query({ page: 2, limit: 3 }).expect(200);
    expect(page2.body).toMatchObject({
      total: 7,
      page: 2,
      limit: 3,
      totalPages: 3,
      hasNext: true,
      hasPrevious: true,
    });
    expect(page2.body.data).toHaveLength(3);
    await http.get('/users').query({ limit: 1000 }).expect(400);
    await http.get('/users').query({ status: 'Bogus' }).expect(400);
  });

  it('GET /users pages by cursor until the last page', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const res = await http
        .get('/users')
        .query(after ? { after, limit: 3 } : { cursor: 'true', limit: 3 })
        .expect(200);
      seen.push(...res.body.data.map((u: { id: string }) => u.id));
      after = res.body.nextCursor ?? undefined;
      expect(res.body.hasNext).toBe(after !== undefined);
    } while (after);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
  });

  it('GET /users/search finds by name or email, case-insensitively', async () => {
    const res = await http.get('/users/search').query({ q: 'ODD' }).expect(200);
    expect(res.body.length).toBe(4);
    expect(res.body.every((u: Record<string, unknown>) => !('passwordHash' in u))).toBe(true);
    await http.get('/users/search').expect(400);
  });
});

describe('example API: payments and subscriptions', () => {
  it('reads payments and subscriptions of a user; an unknown user is 404', async () => {
    const user = (await http.post('/users').send(person(20)).expect(201)).body;
    const payment = await app.get(PaymentRepository).create({
      stripePaymentIntentId: 'pi_e2e_1',
      userId: user.id,
      amount: 1999,
      currency: 'usd',
      status: PaymentStatus.Succeeded,
    });
    const subscription = await app.get(SubscriptionRepository).create({
      stripeSubscriptionId: 'sub_e2e_1',
      userId: user.id,
      productId: 'prod_1',
      priceId: 'price_1',
      status: SubscriptionStatus.Active,
      currentPeriodStart: '2024-05-01T00:00:00.000Z',
      currentPeriodEnd: '2024-06-01T00:00:00.000Z',
      cancelAtPeriodEnd: false,
      quantity: 1,
    });

    const payments = await http.get(`/users/${user.id}/payments`).expect(200);
    expect(payments.body).toMatchObject({ total: 1, page: 1 });
    expect(payments.body.data[0]).toMatchObject({ id: payment.id, amount: 1999 });
    const cursorPage = await http
      .get(`/users/${user.id}/payments`)
      .query({ cursor: 'true' })
      .expect(200);
    expect(cursorPage.body).toMatchObject({ hasNext: false, nextCursor: null });

    const subscriptions = await http.get(`/users/${user.id}/subscriptions`).expect(200);
    expect(subscriptions.body.data[0]).toMatchObject({ id: subscription.id, status: 'active' });

    await http.get(`/payments/${payment.id}`).expect(200);
    await http.get(`/subscriptions/${subscription.id}`).expect(200);
    await http.get('/payments/00000000-0000-4000-8000-000000000000').expect(404);
    await http.get('/users/00000000-0000-4000-8000-000000000000/payments').expect(404);
  });
});

describe('example API: Stripe webhooks', () => {
  it('POST /webhooks/stripe answers 503 while no signing secret is set (see stripe-webhooks.e2e)', async () => {
    const event = { id: 'evt_e2e1', type: 'payment_intent.succeeded', data: { object: {} } };
    const res = await http.post('/webhooks/stripe').send(event).expect(503);
    expect(res.body.message).toMatch(/STRIPE_WEBHOOK_SECRET is not set/);
  });
});

describe('example API: health and metrics', () => {
  it('GET /health is 200 and healthy on SQLite', async () => {
    const res = await http.get('/health').expect(200);
    expect(res.body).toMatchObject({
      status: 'healthy',
      provider: 'sqlite',
      fallbackActive: false,
    });
    expect(res.body.checks.connection.status).toBe('pass');
    expect(res.body.checks.storage.status).toBe('pass');
    expect(res.body).toMatchObject({
      configuredProvider: 'sqlite',
      poolSaturation: 0,
      migrations: { pending: 0, drift: 0 },
      checks: { pool: { status: 'pass' }, cache: { status: 'skip', reason: 'not-reported' } },
    });
  });

  it('GET /health, served without authentication, carries no path, disk figure or details', async () => {
    const res = await http.get('/health').expect(200);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(tmp.file('x').split('/').slice(0, -1).join('/'));
    expect(text).not.toMatch(/Bytes|"path"|"details"|"error"/);
  });

  it('GET /health/details is the full report, only with the operators’ bearer token', async () => {
    await http.get('/health/details').expect(404);
    process.env.HEALTH_DETAILS_TOKEN = 'operators-only';
    try {
      await http.get('/health/details').expect(401);
      await http.get('/health/details').set('Authorization', 'Bearer wrong-token!').expect(401);
      const res = await http
        .get('/health/details')
        .set('Authorization', 'Bearer operators-only')
        .expect(200);
      expect(res.body.checks.storage.details).toMatchObject({
        databaseBytes: expect.any(Number),
        freeDiskBytes: expect.any(Number),
      });
    } finally {
      delete process.env.HEALTH_DETAILS_TOKEN;
    }
  });

  it('GET /metrics reports counts per operation and table', async () => {
    const res = await http.get('/metrics').expect(200);
    const create = res.body.operations.find(
      (o: { operation: string; table: string }) => o.operation === 'create' && o.table === 'users',
    );
    expect(create.count).toBeGreaterThan(0);
    expect(create.errorsByClass.UniqueConstraintException).toBeGreaterThan(0);
    await http
      .get('/metrics/prometheus')
      .expect(200)
      .expect(/db_queries_total/);
  });

  it('GET /health is 503 when the database is gone', async () => {
    // Closed underneath the app; last test of the file, afterAll's close must still be safe.
    await app.get<IDatabaseAdapter>(DATABASE_ADAPTER).close();
    const res = await http.get('/health').expect(503);
    expect(res.body.status).toBe('unhealthy');
    expect(res.body.checks.connection).toMatchObject({ status: 'fail', reason: 'error' });
  });
});
