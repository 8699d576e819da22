import { Body, Controller, Get, NotFoundException, Param, Post, Query } from '@nestjs/common';
import type { CreateInput } from 'nest-data-layer';
import { InvoicesRepository } from './invoices.repository';
import type { Invoice } from './schema';

/** The invoices API: create one, read one, list by status. */
@Controller('invoices')
export class InvoicesController {
  constructor(private readonly invoices: InvoicesRepository) {}

  @Post()
  create(@Body() body: CreateInput<Invoice>): Promise<Invoice> {
    return this.invoices.create(body);
  }

  @Get(':id')
  async findOne(@Param('id') id: string): Promise<Invoice> {
    const invoice = await this.invoices.findById(id);
    if (!invoice) throw new NotFoundException(`No invoice ${id}`);
    return invoice;
  }

  @Get()
  list(@Query('status') status: Invoice['status']): Promise<Invoice[]> {
    return this.invoices.findByStatus(status);
  }
}
