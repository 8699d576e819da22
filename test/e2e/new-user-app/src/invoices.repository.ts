import { Injectable } from '@nestjs/common';
import { BaseRepository } from 'nest-data-layer';
import { invoicesTable, type Invoice } from './schema';

/** The invoices table's repository: BaseRepository's methods plus the app's own finders. */
@Injectable()
export class InvoicesRepository extends BaseRepository<Invoice> {
  protected readonly table = invoicesTable;

  /** The live invoices with this status, oldest first. */
  findByStatus(status: Invoice['status']): Promise<Invoice[]> {
    return this.findMany({
      filters: { status },
      orderBy: { field: 'createdAt', direction: 'asc' },
    });
  }
}
