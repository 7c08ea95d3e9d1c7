"""Writes of the notifications app: preferences, push subscriptions, deliveries."""
