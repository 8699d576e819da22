import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import {
  PaymentRepository,
  RecordNotFoundException,
  SubscriptionRepository,
  UserRepository,
  type ICursorPaginatedResult,
  type IPaginatedResult,
  type IPaymentEntity,
  type ISubscriptionEntity,
} from '../../src';
import { PageQueryDto } from './dto/user.dto';
import { toPageOptions } from './list-options';

type Page<T> = IPaginatedResult<T> | ICursorPaginatedResult<T>;

/** A user's payments and subscriptions, read-only (they arrive through Stripe webhooks). */
@Controller()
export class BillingController {
  constructor(
    private readonly users: UserRepository,
    private readonly payments: PaymentRepository,
    private readonly subscriptions: SubscriptionRepository,
  ) {}

  @Get('users/:userId/payments')
  async paymentsOfUser(
    @Param('userId', ParseUUIDPipe) userId: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<IPaymentEntity>> {
    await this.assertUser(userId);
    const options = toPageOptions<IPaymentEntity>(query, {
      filters: { userId },
      orderBy: { field: 'createdAt', direction: 'desc' },
    });
    return this.payments.findWithPagination(options);
  }

  @Get('users/:userId/subscriptions')
  async subscriptionsOfUser(
    @Param('userId', ParseUUIDPipe) userId: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<ISubscriptionEntity>> {
    await this.assertUser(userId);
    const options = toPageOptions<ISubscriptionEntity>(query, {
      filters: { userId },
      orderBy: { field: 'createdAt', direction: 'desc' },
    });
    return this.subscriptions.findWithPagination(options);
  }

  @Get('payments/:id')
  async payment(@Param('id', ParseUUIDPipe) id: string): Promise<IPaymentEntity> {
    const payment = await this.payments.findById(id);
    if (!payment) throw new RecordNotFoundException('payments', id);
    return payment;
  }

  @Get('subscriptions/:id')
  async subscription(@Param('id', ParseUUIDPipe) id: string): Promise<ISubscriptionEntity> {
    const subscription = await this.subscriptions.findById(id);
    if (!subscription) throw new RecordNotFoundException('subscriptions', id);
    return subscription;
  }

  private async assertUser(userId: string): Promise<void> {
    if (!(await this.users.exists(userId))) throw new RecordNotFoundException('users', userId);
  }
}
