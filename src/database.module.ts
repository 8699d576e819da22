import { Module, type DynamicModule, type Type } from '@nestjs/common';
import type {
  DatabaseModuleAsyncOptions,
  DatabaseModuleOptions,
} from './config/database-options.interface';
import { DatabaseCoreModule } from './database-core.module';
import { createRepositoryProviders, providerToken } from './database.providers';

/**
 * The data layer's Nest module. Import it with {@link DatabaseModule.forRoot} or
 * {@link DatabaseModule.forRootAsync} once per connection; the adapter, the four repositories,
 * health and metrics are then injectable everywhere. The default connection (no `name`) is
 * injected by class and `DATABASE_ADAPTER`; a named one by `@InjectDatabaseAdapter(name)`,
 * `@InjectRepository(Repo, name)` and the `get…Token(name)` functions. Two roots of the same
 * connection fail at boot, before any database is opened. Register repositories of your own with
 * {@link DatabaseModule.forFeature}.
 *
 * @example
 * \@Module({
 *   imports: [
 *     DatabaseModule.forRoot({ provider: 'sqlite' }),
 *     DatabaseModule.forRoot({ name: 'analytics', provider: 'postgres' }),
 *     DatabaseModule.forFeature([EventsRepository], 'analytics'),
 *   ],
 * })
 * export class AppModule {}
 */
@Module({})
export class DatabaseModule {
  /**
   * Opens a connection from options, each unset one read from the environment
   * (DATABASE_PROVIDER, SUPABASE_URL, …). With no options at all, the environment decides.
   * `name` makes it a named connection; without it, the default one.
   */
  static forRoot(options: DatabaseModuleOptions = {}): DynamicModule {
    return { module: DatabaseModule, imports: [DatabaseCoreModule.forRoot(options)] };
  }

  /**
   * Opens a connection from options built at boot by `useFactory` (with `inject`), `useClass` or
   * `useExisting` (a {@link DatabaseOptionsFactory}); `name` makes it a named connection. What
   * `useFactory` returns is checked at compile time: an unknown option is an error. Throws at
   * once when none of the three is given.
   */
  static forRootAsync<T extends DatabaseModuleOptions>(
    options: DatabaseModuleAsyncOptions<T>,
  ): DynamicModule {
    return { module: DatabaseModule, imports: [DatabaseCoreModule.forRootAsync(options)] };
  }

  /**
   * Registers repositories of your own on a connection, injectable in the importing module: each
   * is an `@Injectable()` class taking `@InjectDatabaseAdapter()` (a {@link BaseRepository}
   * subclass, for one). On the default connection (no `name`) they are injected by class; on a
   * named one with `@InjectRepository(Repo, name)`, the same class then built against that
   * connection's adapter (and its config, connection, health, metrics and built-in repositories,
   * where the constructor asks for the default connection's).
   */
  static forFeature(repositories: readonly Type<unknown>[] = [], name?: string): DynamicModule {
    const providers = createRepositoryProviders(repositories, name);
    return { module: DatabaseModule, providers, exports: providers.map(providerToken) };
  }
}
