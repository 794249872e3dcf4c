"""The forms' one structured logger (Powertools). Log statuses and reasons, never what a person sent."""

from aws_lambda_powertools import Logger

logger = Logger(service="jtec-forms")
