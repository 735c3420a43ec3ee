"""Can this setup send a campaign? The template, and (opt-in) a real send."""

from wa_doctor.checks import messaging, templates, webhooks
from wa_doctor.pytest_checks import diagnose

test_campaign_template_usable = diagnose(templates.campaign_template_usable)
test_campaign_template_fits = diagnose(templates.campaign_template_fits)
test_campaign_template_category = diagnose(templates.campaign_template_category)
test_template_send = diagnose(messaging.template_send)
test_text_send = diagnose(messaging.text_send)
test_webhooks_subscribed = diagnose(webhooks.webhooks_subscribed)
test_webhooks_app_subscription = diagnose(webhooks.webhooks_app_subscription)
test_webhooks_coexistence_fields = diagnose(webhooks.webhooks_coexistence_fields)
test_webhooks_override = diagnose(webhooks.webhooks_override)
test_webhooks_handshake = diagnose(webhooks.webhooks_handshake)
test_recent_send_failures = diagnose(messaging.recent_send_failures)
