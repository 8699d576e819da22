import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import {
  PaymentRepository,
  SubscriptionRepository,
  UserRepository,
  WebhookRepository,
  type DatabaseModuleOptions,
  type IUserEntity,
} from '../../../src';
import { AppModule } from '../../../examples/api/api.module';
import { BillingNotifier } from '../../../examples/api/stripe/billing-notifier';
import {
  StripeEventWorker,
  StripeWorkerModule,
} from '../../../examples/worker/stripe-event-worker';
import { makeTempSqliteDir, type TempSqliteDir } from '../../module/temp-sqlite';
import { createTestDatabase, describeWithPostgres } from '../../support/postgres';
import { bootApp } from '../example-app';
import { stripeId, type Delivery } from './stripe-events';

/** The signing secret the suites' apps are configured with. */
export const SECRET = `whsec_${randomBytes(24).toString('base64url')}`;

/** Now, in Unix seconds as Stripe counts. */
export const now = (): number => Math.floor(Date.now() / 1000);

/** The example app (API plus worker) on one database, and what the tests do with it. */
export interface WebhookHarness {
  app: INestApplication;
  http: ReturnType<typeof request>;
  /** Posts a delivery as Stripe does: its JSON body and `Stripe-Signature` header. */
  post(delivery: Delivery): request.Test;
  /** A new user with a unique email. */
  newUser(): Promise<IUserEntity>;
  /** A new user already linked to a new Stripe customer. */
  linkedUser(): Promise<{ userId: string; customerId: string }>;
  /** The spy on {@link BillingNotifier.notify}, fresh for each test. */
  notify: jest.SpyInstance;
  webhooks(): WebhookRepository;
  users(): UserRepository;
  payments(): PaymentRepository;
  subscriptions(): SubscriptionRepository;
  worker(): StripeEventWorker;
}

/** One database the suites run on. */
interface Engine {
  name: string;
  describe: (name: string, fn: () => void) => void;
  open(sqlite: TempSqliteDir): Promise<{ options: DatabaseModuleOptions; close(): Promise<void> }>;
}

const engines: Engine[] = [
  {
    name: 'SQLite',
    describe,
    open: async (sqlite) => ({
      options: { provider: 'sqlite', sqlite: { path: sqlite.file() }, env: {} },
      close: async () => undefined,
    }),
  },
  {
    name: 'PostgreSQL',
    describe: describeWithPostgres,
    open: async () => {
      const database = await createTestDatabase('stripe_webhooks');
      return {
        options: { provider: 'postgres', postgres: { connectionString: database.url }, env: {} },
        close: () => database.drop(),
      };
    },
  },
];

/**
 * Runs `tests` once per database (SQLite, and PostgreSQL when it is available), each time on a
 * fresh example app configured with {@link SECRET}, with the worker's providers next to it.
 */
export function describeOnEachEngine(
  title: string,
  tests: (harness: WebhookHarness) => void,
): void {
  for (const engine of engines) {
    engine.describe(`${title} on ${engine.name}`, () => {
      const harness = {} as WebhookHarness;
      const sqlite = makeTempSqliteDir('e2e-stripe');
      let close = async (): Promise<void> => undefined;

      beforeAll(async () => {
        const database = await engine.open(sqlite);
        const app = await bootApp([
          AppModule.register(database.options, { secret: SECRET }),
          StripeWorkerModule,
        ]);
        close = async () => {
          await app.close();
          await database.close();
        };
        Object.assign(harness, harnessOf(app));
      });
      afterAll(async () => {
        await close();
        sqlite.cleanup();
      });
      beforeEach(() => {
        harness.notify = jest.spyOn(harness.app.get(BillingNotifier), 'notify');
      });
      afterEach(() => jest.restoreAllMocks());

      tests(harness);
    });
  }
}

function harnessOf(app: INestApplication): Omit<WebhookHarness, 'notify'> {
  const http = request(app.getHttpServer());
  const users = () => app.get(UserRepository);
  const newUser = () =>
    users().create({
      email: `jenny.${randomBytes(4).toString('hex')}@example.com`,
      firstName: 'Jenny',
      lastName: 'Rosen',
    });
  return {
    app,
    http,
    post: (delivery) =>
      http
        .post('/webhooks/stripe')
        .set('content-type', 'application/json')
        .set('stripe-signature', delivery.signature)
        .send(delivery.body),
    newUser,
    linkedUser: async () => {
      const user = await newUser();
      const customerId = stripeId('cus');
      await users().update(user.id, { stripeCustomerId: customerId });
      return { userId: user.id, customerId };
    },
    webhooks: () => app.get(WebhookRepository),
    users,
    payments: () => app.get(PaymentRepository),
    subscriptions: () => app.get(SubscriptionRepository),
    worker: () => app.get(StripeEventWorker),
  };
}
