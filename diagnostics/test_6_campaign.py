"""Can this setup send a campaign? The template, and (opt-in) a real send."""

from wa_doctor.checks import messaging, templates, webhooks


def test_campaign_template_usable(check_each):
    check_each(templates.campaign_template_usable)


def test_campaign_template_fits(check_each):
    check_each(templates.campaign_template_fits)


def test_template_send(check_each):
    check_each(messaging.template_send)


def test_text_send(check_each):
    check_each(messaging.text_send)


def test_webhooks_subscribed(check_each):
    check_each(webhooks.webhooks_subscribed)


def test_webhooks_app_subscription(check):
    check(webhooks.webhooks_app_subscription)


def test_webhooks_override(check_each):
    check_each(webhooks.webhooks_override)


def test_webhooks_handshake(check_each):
    check_each(webhooks.webhooks_handshake)


def test_recent_send_failures(check):
    check(messaging.recent_send_failures)
