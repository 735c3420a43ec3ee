"""Can this setup send a campaign? The template, and (opt-in) a real send."""

from wa_doctor.checks import messaging, templates, webhooks


def test_campaign_template_usable(check, credential):
    check(templates.campaign_template_usable, credential)


def test_campaign_template_fits(check, credential):
    check(templates.campaign_template_fits, credential)


def test_template_send(check, credential):
    check(messaging.template_send, credential)


def test_text_send(check, credential):
    check(messaging.text_send, credential)


def test_webhooks_subscribed(check, credential):
    check(webhooks.webhooks_subscribed, credential)


def test_webhooks_app_subscription(check):
    check(webhooks.webhooks_app_subscription)


def test_webhooks_override(check, credential):
    check(webhooks.webhooks_override, credential)


def test_webhooks_handshake(check, credential):
    check(webhooks.webhooks_handshake, credential)


def test_recent_send_failures(check):
    check(messaging.recent_send_failures)
