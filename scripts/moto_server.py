"""moto's server, with its DynamoDB made atomic under concurrent requests.

moto's server handles requests on threads, and its DynamoDB checks a condition and then
writes without a lock held across both (TransactWriteItems applies and rolls back item by
item), so two racing conditional writes can both commit — DynamoDB itself never lets them.
The tests race writes on purpose (one email, one lead), so every DynamoDB operation here runs
under one lock; SQS, SES and S3 stay concurrent (long polls must not block the rest).
Usage: python scripts/moto_server.py -H 127.0.0.1 -p PORT
"""
import functools
import threading

from moto.dynamodb.models import DynamoDBBackend
from moto.server import main

_lock = threading.RLock()


def _serialised(method):
    @functools.wraps(method)
    def run(self, *args, **kwargs):
        with _lock:
            return method(self, *args, **kwargs)

    return run


for _name in (
    "batch_get_item", "batch_write_item", "delete_item", "execute_transaction", "get_item",
    "put_item", "query", "scan", "transact_get_items", "transact_write_items", "update_item",
):
    setattr(DynamoDBBackend, _name, _serialised(getattr(DynamoDBBackend, _name)))

if __name__ == "__main__":
    main()
