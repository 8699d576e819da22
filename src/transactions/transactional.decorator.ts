// @Transactional(): a method of a Nest provider run through its connection's adapter.transaction().
// The adapter comes from Nest's property injection, declared by the decorator itself, so the
// class needs no constructor parameter for it and the method works whoever calls it.
import { Inject } from '@nestjs/common';
import type { IDatabaseAdapter } from '../adapters/database-adapter.interface';
import { DatabaseConfigurationException } from '../config/database-configuration.exception';
import { checkConnectionName, getDatabaseAdapterToken } from '../database.tokens';
import { checkTransactionOptions, type TransactionOptions } from './transaction-options';

/** Options of {@link Transactional}. */
export interface TransactionalOptions extends TransactionOptions {
  /**
   * The connection (`DatabaseModule.forRoot({ name })`) whose adapter runs the transaction.
   * Default is the default connection.
   */
  connection?: string;
}

/** Marks a class whose instances already get the adapter of a connection injected. */
const INJECTED = 'nest-data-layer:transactional-adapter';

/**
 * Runs a method of a Nest provider or controller in a transaction of its connection's adapter:
 * `adapter.transaction(() => method(...args), options)` with the same `this`, arguments, result
 * and error. Every call inside it (repositories of that connection included) joins the
 * transaction. The adapter is injected by Nest as a hidden property of the instance, so the
 * class must be created by Nest from its class (a class provider or controller); a missing
 * connection fails at bootstrap, as a missing provider does.
 *
 * Only async methods (declared `async`, or returning `Promise<…>`): a transaction must wait for
 * its work to end. Decorating anything else throws DatabaseConfigurationException when the class
 * is defined, as does an unknown option.
 *
 * @param options - Propagation (default `REQUIRED`: join the flow's transaction or start one),
 * isolation level (default the database's) and connection (default the default connection).
 *
 * @example
 * \@Injectable()
 * export class BillingService {
 *   constructor(private readonly payments: PaymentRepository) {}
 *
 *   \@Transactional()
 *   async recordPayment(intent: PaymentIntentInput): Promise<Payment> {
 *     const payment = await this.payments.create(intent);
 *     afterCommit(() => this.events.emit('payment.recorded', payment));
 *     return payment;
 *   }
 *
 *   \@Transactional({ connection: 'analytics', propagation: 'REQUIRES_NEW' })
 *   async recordAudit(entry: AuditInput): Promise<void> { ... }
 * }
 */
export function Transactional(options: TransactionalOptions = {}): MethodDecorator {
  const checked = configured(() => checkTransactionOptions(options));
  const name = checkConnectionName(options.connection);
  const token = getDatabaseAdapterToken(name);
  const property = Symbol.for(`nest-data-layer:transactional:${name}`);
  return (target, key, descriptor) => {
    const method = descriptor.value as unknown;
    const where = `${typeof target === 'function' ? target.name : target.constructor.name}.${String(key)}`;
    if (typeof target === 'function' || !isFunction(method)) {
      throw new DatabaseConfigurationException([
        `@Transactional() decorates instance methods; ${where} is not one`,
      ]);
    }
    if (!returnsPromise(target, key, method)) {
      throw new DatabaseConfigurationException([
        `@Transactional() needs an async method, and ${where} is not one: declare it async (or ` +
          'its return type Promise<…>), so the transaction can wait for its work to end',
      ]);
    }
    if (!Reflect.hasMetadata(INJECTED, target, property)) {
      Inject(token)(target, property);
      Reflect.defineMetadata(INJECTED, true, target, property);
    }
    const transactional = function (this: unknown, ...args: unknown[]): Promise<unknown> {
      const adapter = adapterOf(this, property);
      if (adapter === undefined) return Promise.reject(notInjected(where));
      return adapter.transaction(async () => method.apply(this, args), checked);
    };
    // Metadata other decorators put on the method (routes, guards, …) stays with it.
    for (const metadataKey of Reflect.getOwnMetadataKeys(method)) {
      Reflect.defineMetadata(
        metadataKey,
        Reflect.getOwnMetadata(metadataKey, method),
        transactional,
      );
    }
    Object.defineProperty(transactional, 'name', { value: method.name });
    descriptor.value = transactional as typeof descriptor.value;
    return descriptor;
  };
}

/** Runs a check of the options, its ValidationException reported as a configuration problem. */
function configured<R>(check: () => R): R {
  try {
    return check();
  } catch (error) {
    throw new DatabaseConfigurationException([`@Transactional(): ${(error as Error).message}`], {
      cause: error,
    });
  }
}

function isFunction(value: unknown): value is (...args: unknown[]) => unknown {
  return typeof value === 'function';
}

/** Whether the method gives a promise: declared `async`, or with `Promise` as its return type. */
function returnsPromise(
  target: object,
  key: string | symbol,
  method: (...args: unknown[]) => unknown,
): boolean {
  if (method.constructor?.name === 'AsyncFunction') return true;
  return Reflect.getMetadata('design:returntype', target, key) === Promise;
}

function adapterOf(instance: unknown, property: symbol): IDatabaseAdapter | undefined {
  if (typeof instance !== 'object' || instance === null) return undefined;
  return (instance as Record<symbol, IDatabaseAdapter | undefined>)[property];
}

function notInjected(where: string): DatabaseConfigurationException {
  return new DatabaseConfigurationException([
    `@Transactional() on ${where} found no database adapter on its instance. Nest injects it into ` +
      'the instances it creates from the class (class providers, controllers), after the ' +
      'constructor: call the method after construction (onModuleInit or later), on an instance ' +
      'Nest created (not one made with new, useFactory or useValue), and not detached from it; ' +
      'elsewhere call adapter.transaction(work, options) directly',
  ]);
}
