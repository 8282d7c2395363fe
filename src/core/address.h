/*
 * A postal address, as held on customers and on shipments (ship-to).
 */
#ifndef SB_ADDRESS_H
#define SB_ADDRESS_H

struct sb_address {
    const char *name, *company, *line1, *line2, *city, *region, *postcode, *country, *phone, *email;
};

#endif
