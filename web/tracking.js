// A shipment's tracking number, linked to the carrier's tracking page when the
// server knows the carrier (tracking_url, core/carrier.c); else the number as
// written. Used on Shipping, its print views and the sale's page.
import { h } from './dom.js';

export function trackingLink(s) {
  if (!s || !s.tracking_number) return null;
  const text = `${s.tracking_number}${s.carrier ? ' (' + s.carrier + ')' : ''}`;
  return s.tracking_url
    ? h('a', { href: s.tracking_url, class: 'tracking', target: '_blank', rel: 'noopener noreferrer' }, text,
      h('span', { class: 'visually-hidden' }, ' (opens the carrier\'s tracking page)'))
    : text;
}
