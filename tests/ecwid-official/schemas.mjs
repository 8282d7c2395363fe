// JSON Schemas of Ecwid's REST v3 answers and webhook bodies, written by us from the field
// lists and types of Ecwid's official Java client (github.com/Ecwid/ecwid-java-api-client,
// Kotlin DTOs under src/main/kotlin/com/ecwid/apiclient/v3/dto/; read at commit b0eeb742,
// nothing of it is committed here). Each DTO is one line below, "name:KotlinType" per field
// in the DTO's own order, copied as facts; dto() turns a line into a schema. A DTO is a closed
// class, so additionalProperties is false: a field the fakestore invents or misnames fails,
// and so does a field of the wrong type (String -> string, Int -> 32-bit integer, Long ->
// integer, Double -> number, Boolean -> boolean, Date -> Ecwid's "yyyy-MM-dd HH:mm:ss +0000",
// the enums -> their values, List<X> -> array of X). A nested class we do not describe is
// left open ({}); a '?' type may also be null. Known departures: deviations.mjs.

const INT32 = 2147483647;
const DATE = '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} [+-]\\d{4}$'; // GsonTransformer: "yyyy-MM-dd HH:mm:ss z"

// dto/order/enums/*.kt
const ENUMS = {
    OrderPaymentStatus: ['AWAITING_PAYMENT', 'PAID', 'CANCELLED', 'REFUNDED', 'PARTIALLY_REFUNDED',
        'INCOMPLETE', 'CUSTOM_PAYMENT_STATUS_1', 'CUSTOM_PAYMENT_STATUS_2', 'CUSTOM_PAYMENT_STATUS_3'],
    OrderFulfillmentStatus: ['AWAITING_PROCESSING', 'PROCESSING', 'SHIPPED', 'DELIVERED',
        'WILL_NOT_DELIVER', 'RETURNED', 'READY_FOR_PICKUP', 'OUT_FOR_DELIVERY',
        'CUSTOM_FULFILLMENT_STATUS_1', 'CUSTOM_FULFILLMENT_STATUS_2', 'CUSTOM_FULFILLMENT_STATUS_3'],
    FulfillmentType: ['SHIPPING', 'PICKUP', 'DELIVERY'],
    // dto/common/EcwidApiError.kt (every error answer; ApiClientHelper reads it)
    EcwidApiError: 'errorMessage:String? errorCode:String? args:StringMap?',
    // dto/webhook/Webhook.kt, EventType's @SerializedName values
    EventType: ['application.installed', 'application.uninstalled',
        'application.subscription_status_changed', 'application.storage_changed',
        'category.created', 'category.deleted', 'category.updated', 'customer.created',
        'customer.deleted', 'customer.updated', 'customer_group.created', 'customer_group.updated',
        'customer_group.deleted', 'customer.personal_data_removal_request',
        'customer.personal_data_export_request', 'order.created', 'order.deleted', 'order.updated',
        'product.created', 'product.deleted', 'product.updated', 'product_class.created',
        'product_class.deleted', 'product_class.updated', 'review.created', 'review.deleted',
        'review.updated', 'profile.updated', 'profile.subscription_status_changed',
        'profile.personal_data_removal_request', 'profile.personal_data_export_request',
        'unfinished_order.created', 'unfinished_order.deleted', 'unfinished_order.updated',
        'discount_coupon.created', 'discount_coupon.deleted', 'discount_coupon.updated',
        'invoice.created', 'invoice.deleted', 'promotion.created', 'promotion.deleted',
        'promotion.updated', 'size_chart.created', 'size_chart.deleted', 'size_chart.updated'],
};

const DTOS = {
    // dto/order/result/FetchedOrder.kt (FetchedOrder and its nested classes)
    FetchedOrder: 'id:String? internalId:Long? orderNumber:Int vendorOrderNumber:String? publicUid:String? email:String? ipAddress:String? hidden:Boolean? createDate:Date? createTimestamp:Long? updateDate:Date? updateTimestamp:Long? refererUrl:String? refererId:String? globalReferer:String? affiliateId:String? additionalInfo:Map? extraFields:Map? orderExtraFields:List<ExtraFieldsInfo>? orderComments:String? privateAdminNotes:String? fulfillmentStatus:OrderFulfillmentStatus? externalFulfillment:Boolean? externalOrderId:String? latestShipDate:Date? latestDeliveryDate:Date? trackingNumber:String? trackingUrl:String? pickupTime:Date? paymentStatus:OrderPaymentStatus? paymentMethod:String? paymentModule:String? paymentParams:Map? paymentMessage:String? paymentSubtype:String? creditCardStatus:CreditCardStatus? externalTransactionId:String? externalTransactionUrl:String? referenceTransactionId:String? ticket:Int? ebayId:String? customerId:Int? customerGroup:String? customerGroupId:Long? acceptMarketing:Boolean? giftCardRedemption:Double? totalBeforeGiftCardRedemption:Double? giftCardDoubleSpending:Boolean? giftCardCode:String? giftCardId:Int? giftCardUuid:String? total:Double? totalWithoutTax:Double? subtotal:Double? subtotalWithoutTax:Double? usdTotal:Double? tax:Double? availableTaxes:List<Taxes>? customerTaxExempt:Boolean? customerTaxId:String? customerTaxIdValid:Boolean? reversedTaxApplied:Boolean? couponDiscount:Double? volumeDiscount:Double? membershipBasedDiscount:Double? totalAndMembershipBasedDiscount:Double? discount:Double? discountInfo:List<DiscountInfo>? discountCoupon:DiscountCouponInfo? customDiscount:List<Double>? items:List<OrderItem>? billingPerson:PersonInfo? shippingPerson:PersonInfo? shippingOption:ShippingOption? availableShippingOptions:List<ShippingOption>? taxesOnShipping:List<BaseOrderItemTax> handlingFee:HandlingFee? shipments:List<Shipment>? customSurcharges:List<Surcharge> refundedAmount:Double? refunds:List<RefundInfo>? utmData:UtmData? invoices:List<TaxInvoice>? predictedPackage:List<PredictedPackage>? pricesIncludeTax:Boolean? disableAllCustomerNotifications:Boolean? externalOrderData:ExternalOrderData? paymentReference:String? shippingLabelAvailableForShipment:Boolean loyalty:Loyalty? customerFiscalCode:String? electronicInvoicePecEmail:String? electronicInvoiceSdiCode:String? commercialRelationshipScheme:CommercialRelationshipScheme? lang:String? storeCredit:StoreCredit? withdrawalRequested:Boolean?',
    OrderItem: 'id:Long? productId:Int? categoryId:Int? price:Double? productPrice:Double? isCustomerSetPrice:Boolean? selectedPrice:SelectedPrice? priceWithoutTax:Double? shipping:Double? handlingFee:Double? tax:Double? fixedShippingRate:Double? couponAmount:Double? sku:String? name:String? nameTranslated:Map? shortDescription:String? shortDescriptionTranslated:Map? quantity:Int? quantityInStock:Int? weight:Double? imageUrl:String? smallThumbnailUrl:String? hdThumbnailUrl:String? isShippingRequired:Boolean? trackQuantity:Boolean? fixedShippingRateOnly:Boolean? digital:Boolean? productAvailable:Boolean? couponApplied:Boolean? giftCard:Boolean? recurringChargeSettings:RecurringChargeSettings? subscriptionId:Long? selectedOptions:List<OrderItemSelectedOption>? combinationId:Int? files:List<OrderItemProductFile>? taxable:Boolean? taxes:List<OrderItemTax>? dimensions:ProductDimensions? discountsAllowed:Boolean? discounts:List<OrderItemDiscounts>? externalReferenceId:String? isPreorder:Boolean? attributes:List<OrderItemAttributeValue>? taxClassCode:String? compositeComponents:List<FetchedProductComponent>?',
    OrderItemDiscounts: 'discountInfo:DiscountInfo? total:Double?',
    DiscountInfo: 'value:Double? type:DiscountType? base:DiscountBase? orderTotal:Double? description:String? appliesToProducts:List<Int>? appliesToItems:List<Long>? membershipId:Int?',
    PersonInfo: 'name:String? firstName:String? lastName:String? companyName:String? street:String? city:String? countryCode:String? countryName:String? postalCode:String? stateOrProvinceCode:String? stateOrProvinceName:String? phone:String?',
    ShippingOption: 'shippingMethodId:String? shippingCarrierName:String? shippingMethodName:String? shippingRate:Double? shippingRateWithoutTax:Double estimatedTransitTime:String? isPickup:Boolean? pickupInstruction:String? pickupPrecisionType:PickupPrecisionType? fulfillmentType:FulfillmentType? locationId:String? localizedLabel:String? isShippingLimit:Boolean? scheduled:Boolean? scheduledTimePrecisionType:ScheduledTimePrecisionType? timeSlotLengthInMinutes:Int? discountedShippingRate:Double?',
    RefundInfo: 'date:Date? source:String? reason:String? amount:Double?',
    // dto/order/result/OrdersSearchResult.kt, OrderUpdateResult.kt
    OrdersSearchResult: 'items:List<FetchedOrder> count:Int total:Int limit:Int offset:Int',
    OrderUpdateResult: 'updateCount:Int',
    // dto/product/result/FetchedProduct.kt (locationInventory is a Map<String, Int>)
    FetchedProduct: 'id:Int name:String nameTranslated:Map? description:String? descriptionTranslated:Map? sku:String isSampleProduct:Boolean? url:String? customSlug:String? created:Date createTimestamp:Int updated:Date updateTimestamp:Int enabled:Boolean? quantity:Int? locationInventory:Map? outOfStockVisibilityBehaviour:OutOfStockVisibilityBehaviour? unlimited:Boolean? inStock:Boolean? warningLimit:Int? categoryIds:List<Int>? categories:List<CategoryInfo>? defaultCategoryId:Int? showOnFrontpage:Int? price:Double? priceInProductList:Double? defaultDisplayedPrice:Double? defaultDisplayedPriceFormatted:String? costPrice:Double wholesalePrices:List<WholesalePrice>? compareToPrice:Double? compareToPriceDiscount:Double? compareToPriceDiscountFormatted:String? compareToPriceDiscountPercent:Double? compareToPriceDiscountPercentFormatted:String? compareToPriceFormatted:String? defaultDisplayedCompareToPrice:Double? defaultDisplayedCompareToPriceFormatted:String? defaultDisplayedCompareToPriceDiscount:Double? defaultDisplayedCompareToPriceDiscountFormatted:String? defaultDisplayedCompareToPriceDiscountPercent:Double? defaultDisplayedCompareToPriceDiscountPercentFormatted:String? lowestPrice:Double? defaultDisplayedLowestPrice:Double? defaultDisplayedLowestPriceFormatted:String? lowestPriceSettings:LowestPriceSettings weight:Double? dimensions:ProductDimensions? volume:Double shippingPreparationTime:ShippingPreparationTime? showDeliveryTimeInStorefront:Boolean? shipping:ShippingSettings? isShippingRequired:Boolean? hasFreeShipping:Boolean? productClassId:Int? attributes:List<AttributeValue>? seoTitle:String? seoTitleTranslated:Map? seoDescription:String? seoDescriptionTranslated:Map? options:List<ProductOption>? tax:TaxInfo? relatedProducts:RelatedProducts? originalImage:PictureInfo? galleryImages:List<GalleryImage>? borderInfo:BorderInfo? media:ProductMedia? files:List<ProductFile>? favorites:FavoritesStats? defaultCombinationId:Int? combinations:List<FetchedVariation>? isGiftCard:Boolean? discountsAllowed:Boolean? subtitle:String? ribbon:Ribbon? ribbonTranslated:Map? subtitleTranslated:Map? nameYourPriceEnabled:Boolean? customPriceTiers:List<CustomPriceTier>? priceDefaultTier:Int? subscriptionSettings:SubscriptionSettings? googleProductCategory:Int? googleProductCategoryName:String? productCondition:ProductCondition externalReferenceId:String? customsHsTariffCode:String? minPurchaseQuantity:Int? maxPurchaseQuantity:Int? reviewsCollectingAllowed:Boolean? batteryIncluded:Boolean? rating:Double? reviewsModerated:Int? reviewsPublished:Int? compositeComponents:List<FetchedProductComponent>?',
    // dto/variation/result/FetchedVariation.kt (a combination)
    FetchedVariation: 'id:Int sku:String? combinationNumber:Int options:List<Option>? smallThumbnailUrl:String? hdThumbnailUrl:String? thumbnailUrl:String? imageUrl:String? originalImageUrl:String? price:Double? defaultDisplayedPrice:Double? defaultDisplayedPriceFormatted:String? costPrice:Double? compareToPrice:Double? lowestPrice:Double? defaultDisplayedLowestPrice:Double? defaultDisplayedLowestPriceFormatted:String? wholesalePrices:List<WholesalePrice>? lowestPriceSettings:LowestPriceSettings quantity:Int? locationInventory:Map? outOfStockVisibilityBehaviour:OutOfStockVisibilityBehaviour? unlimited:Boolean? inStock:Boolean? warningLimit:Int? minPurchaseQuantity:Int? maxPurchaseQuantity:Int? weight:Double? dimensions:ProductDimensions? volume:Double borderInfo:BorderInfo? attributes:List<AttributeValue>? externalReferenceId:String? isShippingRequired:Boolean? customsHsTariffCode:String? subscriptionSettings:SubscriptionSettings? alt:FetchedAlt?',
    // dto/product/result/ProductsSearchResult.kt, ProductUpdateResult.kt, ProductInventoryUpdateResult.kt
    ProductsSearchResult: 'items:List<FetchedProduct> count:Int total:Int limit:Int offset:Int',
    ProductUpdateResult: 'updateCount:Int',
    ProductInventoryUpdateResult: 'updateCount:Int warning:String?',
    // dto/profile/result/FetchedStoreProfile.kt (the classes the fakestore answers)
    FetchedStoreProfile: 'generalInfo:GeneralInfo? account:Account? settings:Settings? mailNotifications:MailNotifications? company:Company? formatsAndUnits:FormatsAndUnits? languages:Languages? shipping:Shipping? taxSettings:TaxSettings? zones:List<Zone>? businessRegistrationID:BusinessRegistrationID? legalPagesSettings:LegalPagesSettingsDetails? payment:PaymentInfo? featureToggles:List<FeatureTogglesInfo>? designSettings:DesignSettings? productFiltersSettings:ProductFiltersSettings fbMessengerSettings:FBMessengerSettings? orderInvoiceSettings:OrderInvoiceSettings? giftCardSettings:GiftCardSettings? registrationAnswers:RegistrationAnswers? verticalSettings:VerticalSettings?',
    GeneralInfo: 'storeId:Int storeUrl:String? starterSite:InstantSiteInfo? websitePlatform:WebsitePlatform?',
    Account: 'accountName:String? accountNickName:String? accountEmail:String? availableFeatures:List<String>? whiteLabel:Boolean? brandName:String? supportEmail:String? registrationDate:Date',
    FormatsAndUnits: 'currency:String? currencyPrefix:String? currencySuffix:String? currencyPrecision:Int? currencyGroupSeparator:String? currencyDecimalSeparator:String? currencyTruncateZeroFractional:Boolean? currencyRate:Double? weightUnit:WeightUnit? weightPrecision:Int? weightGroupSeparator:String? weightDecimalSeparator:String? weightTruncateZeroFractional:Boolean? dateFormat:String? timeFormat:String? timezone:String? dimensionsUnit:DimensionUnit? volumeUnit:VolumeUnit orderNumberPrefix:String? orderNumberSuffix:String? orderNumberMinDigitsAmount:Int? orderNumberNextNumber:Int?',
    // dto/common/EcwidApiError.kt (every error answer; ApiClientHelper reads it)
    EcwidApiError: 'errorMessage:String? errorCode:String? args:StringMap?',
    // The requests the engine may send (e2e-logs checks them), as the fields of the Java
    // client's request DTOs the engine uses, each of the DTO's type, closed to those fields:
    // dto/order/request/UpdatedOrder.kt (PUT /orders/{id}); dto/product/request/
    // UpdatedProduct.kt (PUT /products/{id}) and dto/variation/request/UpdatedVariation.kt
    // (PUT /products/{id}/combinations/{cid}), whose quantity is an Int and price and
    // compareToPrice Doubles (the engine's stock and price writes); REQUEST_LIMITS below says
    // what a request of the engine must carry.
    UpdatedOrder: 'paymentStatus:OrderPaymentStatus fulfillmentStatus:OrderFulfillmentStatus trackingNumber:String',
    UpdatedProduct: 'quantity:Int price:Double compareToPrice:Double',
    UpdatedVariation: 'quantity:Int price:Double compareToPrice:Double',
    // dto/webhook/Webhook.kt (data is a Map<String, String>: every value a string)
    Webhook: 'eventId:String eventCreated:Long storeId:Long entityId:Long eventType:EventType data:StringMap',
};

// Fields a DTO has no default for (a Kotlin type without '?' and without '= ...' in the DTO):
// they must be present. Only those the checks rely on are listed.
const REQUIRED = {
    FetchedProduct: ['id', 'sku', 'name'],
    FetchedVariation: ['id'],
    GeneralInfo: ['storeId'],
    Webhook: ['eventId', 'eventCreated', 'storeId', 'entityId', 'eventType', 'data'],
    OrdersSearchResult: ['items', 'count', 'total', 'limit', 'offset'],
    ProductsSearchResult: ['items', 'count', 'total', 'limit', 'offset'],
};

// What the engine's requests must satisfy beyond the DTO's types: a write changes
// something (a stock write its quantity, a price write its prices), a stock level is never
// negative (Ecwid keeps no negative stock) and neither is a price (compareToPrice 0 clears
// the struck-through price).
const PRODUCT_WRITE = {
    minProperties: 1,
    properties: { quantity: { minimum: 0 }, price: { minimum: 0 }, compareToPrice: { minimum: 0 } },
};
const REQUEST_LIMITS = {
    UpdatedOrder: { minProperties: 1 },
    UpdatedProduct: PRODUCT_WRITE,
    UpdatedVariation: PRODUCT_WRITE,
};

function typeSchema(t) {
    const nullable = t.endsWith('?');
    const base = nullable ? t.slice(0, -1) : t;
    let s;
    const list = /^List<(.+)>$/.exec(base);
    if (list)
        s = { type: 'array', items: typeSchema(list[1]) };
    else if (base === 'String')
        s = { type: 'string' };
    else if (base === 'Int')
        s = { type: 'integer', minimum: -INT32 - 1, maximum: INT32 };
    else if (base === 'Long')
        s = { type: 'integer' };
    else if (base === 'Double')
        s = { type: 'number' };
    else if (base === 'Boolean')
        s = { type: 'boolean' };
    else if (base === 'Date')
        s = { type: 'string', pattern: DATE };
    else if (base === 'Map')
        s = { type: 'object' };
    else if (base === 'StringMap')
        s = { type: 'object', additionalProperties: { type: 'string' } };
    else if (ENUMS[base])
        s = { enum: ENUMS[base] };
    else if (DTOS[base])
        s = { $ref: `#/definitions/${base}` };
    else
        s = {}; // a nested class we do not describe: open
    return nullable ? { anyOf: [s, { type: 'null' }] } : s;
}

function dto(name) {
    const properties = {};
    for (const f of DTOS[name].split(/\s+/)) {
        const i = f.indexOf(':');
        properties[f.slice(0, i)] = typeSchema(f.slice(i + 1));
    }
    const s = { type: 'object', properties, required: REQUIRED[name] || [], additionalProperties: false };
    const limits = REQUEST_LIMITS[name];
    if (limits) {
        if (limits.minProperties)
            s.minProperties = limits.minProperties;
        for (const [k, extra] of Object.entries(limits.properties || {}))
            s.properties[k] = { allOf: [s.properties[k], extra] };
    }
    return s;
}

export const definitions = Object.fromEntries(Object.keys(DTOS).map((n) => [n, dto(n)]));
export const dtoNames = Object.keys(DTOS);
