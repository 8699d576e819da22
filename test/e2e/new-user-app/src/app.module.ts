import { Module } from '@nestjs/common';
import { DatabaseModule } from 'nest-data-layer';
import { InvoicesController } from './invoices.controller';
import { InvoicesRepository } from './invoices.repository';
import { invoicesTable } from './schema';
import { UsersController } from './users.controller';

/**
 * The app: the database from the environment (DATABASE_PROVIDER, SQLITE_PATH, DATABASE_URL), the
 * library's migrations and the app's own, applied at boot.
 */
@Module({
  imports: [
    DatabaseModule.forRoot({
      migrations: { directories: ['migrations'], tables: [invoicesTable] },
    }),
    DatabaseModule.forFeature([InvoicesRepository]),
  ],
  controllers: [InvoicesController, UsersController],
})
export class AppModule {}
