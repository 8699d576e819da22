import {
  Injectable,
  type OnModuleInit,
  Scope,
  SetMetadata,
  type DynamicModule,
} from '@nestjs/common';
import {
  afterCommit,
  afterRollback,
  DatabaseConfigurationException,
  DatabaseModule,
  getDatabaseAdapterToken,
  InjectRepository,
  Transactional,
  TransactionException,
  UserRepository,
  type IDatabaseAdapter,
} from '../../src';
import { bootApp } from './boot-app';

function memory(name?: string): DynamicModule {
  return DatabaseModule.forRoot({
    name,
    provider: 'sqlite',
    sqlite: { path: ':memory:' },
    env: {},
  });
}

const user = (email: string, firstName = 'Ann') => ({ email, firstName, lastName: 'Lee' });
const declined = new Error('card declined');

/** A provider of the app: its methods run in transactions of the default or the named connection. */
@Injectable()
class Billing {
  readonly sent: string[] = [];

  constructor(
    readonly users: UserRepository,
    @InjectRepository(UserRepository, 'analytics') readonly analytics: UserRepository,
  ) {}

  @Transactional()
  @SetMetadata('audited', true)
  async signUp(email: string, fail = false) {
    const created = await this.users.create(user(email));
    afterCommit(() => this.sent.push(`welcome ${email}`));
    afterRollback(() => this.sent.push(`sorry ${email}`));
    if (fail) throw declined;
    return created;
  }

  /** On the named connection: a default-connection write in it is not part of its transaction. */
  @Transactional({ connection: 'analytics' })
  async track(email: string, fail = false): Promise<void> {
    await this.analytics.create(user(email));
    await this.users.create(user(`default-${email}`));
    if (fail) throw declined;
  }

  @Transactional({ propagation: 'MANDATORY' })
  async mustJoin(email: string): Promise<void> {
    await this.users.create(user(email));
  }
}

/** Another provider calling Billing's methods from its own transaction and at boot. */
@Injectable()
class Onboarding implements OnModuleInit {
  constructor(readonly billing: Billing) {}

  async onModuleInit(): Promise<void> {
    await this.billing.signUp('boot@example.com');
  }

  @Transactional()
  async signUpTwo(first: string, second: string, fail = false): Promise<string[]> {
    const a = await this.billing.signUp(first);
    await this.billing.mustJoin(second);
    if (fail) throw declined;
    return [a.email, second];
  }
}

async function boot() {
  return bootApp(
    [memory(), memory('analytics'), DatabaseModule.forFeature([UserRepository], 'analytics')],
    [Billing, Onboarding],
  );
}

describe('@Transactional()', () => {
  it('runs a method in a transaction of the default connection, with its this, result and error', async () => {
    const app = await boot();
    try {
      const billing = app.get(Billing);
      expect(billing.sent).toEqual(['welcome boot@example.com']);
      const created = await billing.signUp('ann@example.com');
      expect(created.email).toBe('ann@example.com');
      expect(await billing.users.findByEmail('ann@example.com')).toEqual(created);
      expect(await billing.signUp('bob@example.com', true).catch((e: unknown) => e)).toBe(declined);
      expect(await billing.users.findByEmail('bob@example.com')).toBeNull();
      expect(billing.sent).toEqual([
        'welcome boot@example.com',
        'welcome ann@example.com',
        'sorry bob@example.com',
      ]);
    } finally {
      await app.close();
    }
  });

  it('joins the caller’s transaction when another provider calls it, and MANDATORY needs one', async () => {
    const app = await boot();
    try {
      const onboarding = app.get(Onboarding);
      const { users, sent } = onboarding.billing;
      expect(await onboarding.signUpTwo('c@example.com', 'd@example.com')).toEqual([
        'c@example.com',
        'd@example.com',
      ]);
      expect(await users.count()).toBe(3);
      const error = await onboarding
        .signUpTwo('e@example.com', 'f@example.com', true)
        .catch((e: unknown) => e);
      expect(error).toBe(declined);
      expect(await users.findByEmail('e@example.com')).toBeNull();
      expect(await users.findByEmail('f@example.com')).toBeNull();
      // The joined method's callbacks ran at the end of the outermost transaction.
      expect(sent.slice(1)).toEqual(['welcome c@example.com', 'sorry e@example.com']);
      const alone = await onboarding.billing.mustJoin('g@example.com').catch((e: unknown) => e);
      expect(alone).toBeInstanceOf(TransactionException);
    } finally {
      await app.close();
    }
  });

  it('runs on the named connection’s adapter with { connection }', async () => {
    const app = await boot();
    try {
      const billing = app.get(Billing);
      await billing.track('kept@example.com');
      expect(await billing.track('undone@example.com', true).catch((e: unknown) => e)).toBe(
        declined,
      );
      expect(await billing.analytics.findByEmail('kept@example.com')).not.toBeNull();
      expect(await billing.analytics.findByEmail('undone@example.com')).toBeNull();
      // The default connection's write was not in the analytics transaction.
      expect(await billing.users.findByEmail('default-undone@example.com')).not.toBeNull();
      const analytics = app.get<IDatabaseAdapter>(getDatabaseAdapterToken('analytics'));
      expect(analytics).not.toBe(app.get(getDatabaseAdapterToken()));
    } finally {
      await app.close();
    }
  });

  it('gives afterCommit to the innermost transaction when two connections have one open', async () => {
    const app = await boot();
    try {
      const main = app.get<IDatabaseAdapter>(getDatabaseAdapterToken());
      const analytics = app.get<IDatabaseAdapter>(getDatabaseAdapterToken('analytics'));
      const events: string[] = [];
      await main.transaction(async () => {
        await analytics.transaction(async () => afterCommit(() => events.push('analytics')));
        expect(events).toEqual(['analytics']);
        afterCommit(() => events.push('default'));
        expect(events).toEqual(['analytics']);
      });
      expect(events).toEqual(['analytics', 'default']);
    } finally {
      await app.close();
    }
  });

  it('works on a request-scoped provider, whose instances are made per request', async () => {
    @Injectable({ scope: Scope.REQUEST })
    class PerRequest {
      constructor(readonly users: UserRepository) {}

      @Transactional()
      async add(email: string, fail = false): Promise<void> {
        await this.users.create(user(email));
        if (fail) throw declined;
      }
    }
    const app = await bootApp([memory()], [PerRequest]);
    try {
      const first = await app.resolve(PerRequest);
      await first.add('kept@example.com');
      const second = await app.resolve(PerRequest);
      expect(second).not.toBe(first);
      expect(await second.add('undone@example.com', true).catch((e: unknown) => e)).toBe(declined);
      expect(await first.users.count()).toBe(1);
    } finally {
      await app.close();
    }
  });

  it('keeps the metadata and name other decorators gave the method', () => {
    expect(Reflect.getMetadata('audited', Billing.prototype.signUp)).toBe(true);
    expect(Billing.prototype.signUp.name).toBe('signUp');
  });

  it('fails at bootstrap when the connection it names does not exist', async () => {
    @Injectable()
    class Reports {
      @Transactional({ connection: 'reporting' })
      async run(): Promise<void> {}
    }
    const error = await bootApp([memory()], [Reports]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/Reports/);
    expect((error as Error).message).toMatch(/reporting/);
  });

  it('refuses, when the class is defined, a sync method, a static one and bad options', () => {
    const define = (decorate: () => void) => {
      try {
        decorate();
      } catch (error) {
        return error;
      }
      throw new Error('expected the decorator to throw');
    };
    const sync = define(() => {
      class Sync {
        @Transactional()
        total(): number {
          return 1;
        }
      }
      return Sync;
    });
    expect(sync).toBeInstanceOf(DatabaseConfigurationException);
    expect((sync as Error).message).toMatch(/Sync\.total.*async/);
    const statics = define(() => {
      class Static {
        @Transactional()
        static async run(): Promise<void> {}
      }
      return Static;
    });
    expect(statics).toBeInstanceOf(DatabaseConfigurationException);
    for (const options of [
      { propagation: 'NESTED' },
      { isolation: 'snapshot' },
      { connection: 'not a name' },
    ]) {
      expect(() => Transactional(options as never)).toThrow(DatabaseConfigurationException);
    }
  });

  it('accepts a method that is not declared async but returns a Promise', () => {
    class Plain {
      constructor(readonly users: UserRepository) {}
      @Transactional()
      count(): Promise<number> {
        return this.users.count();
      }
    }
    expect(Plain.prototype.count.name).toBe('count');
  });

  it('says how to fix a call on an instance Nest did not create, or detached from it', async () => {
    const app = await boot();
    try {
      const billing = new Billing(app.get(UserRepository), app.get(UserRepository));
      const error = await billing.signUp('new@example.com').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatabaseConfigurationException);
      expect((error as Error).message).toMatch(/Billing\.signUp.*Nest created/);
      const { signUp } = app.get(Billing);
      expect(await signUp('detached@example.com').catch((e: unknown) => e)).toBeInstanceOf(
        DatabaseConfigurationException,
      );
    } finally {
      await app.close();
    }
  });
});
