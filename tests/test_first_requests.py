"""The first DRS requests of a fresh server process, arriving at once, all answer as DRS does.

They race moto's lazy set-up of the service (import of ``moto.drs``, the service model's
operation models, the router). moto's ``ServiceModel.operation_model`` briefly caches botocore's
``OperationModel`` (no ``http_trait``) before its own; a request that saw it answered 500. The
race window is a few microseconds, so the server process below widens it: building an operation
model yields the GIL for a moment. The run is a separate process, so that the service is not yet
loaded.
"""

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import threading, time

    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError
    from moto.core import model
    from moto.core.utils import get_service_model
    from moto.server import ThreadedMotoServer

    import moto_drs

    built = model.OperationModel.__init__

    def slowly_built(self, *args, **kwargs):
        time.sleep(0.002)  # widen the race window: let the other request threads run
        built(self, *args, **kwargs)

    model.OperationModel.__init__ = slowly_built
    # one model for every request thread, as in a process that has used it before (otherwise
    # threads that load it at once may each get their own, and not share the cache)
    get_service_model("drs")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    config = Config(retries={"total_max_attempts": 1}, read_timeout=60)
    clients = [
        boto3.client("drs", region_name="us-east-1", endpoint_url=f"http://{host}:{port}",
                     aws_access_key_id="testing", aws_secret_access_key="testing", config=config)
        for _ in range(6)
    ]
    barrier = threading.Barrier(len(clients))
    failures = []

    def first_request(client):
        barrier.wait()
        for call in (client.describe_source_servers, client.describe_jobs):
            try:
                call()  # the account is not initialized: a modeled 400 is the answer
            except ClientError as error:
                if error.response["ResponseMetadata"]["HTTPStatusCode"] >= 500:
                    failures.append(str(error)[:300])
            except Exception as error:
                failures.append(f"{type(error).__name__}: {error}"[:300])

    threads = [threading.Thread(target=first_request, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    server.stop()
    print(failures)
    """
)


def test_concurrent_first_requests_of_a_fresh_server() -> None:
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.strip().splitlines()[-1] == "[]", run.stderr[-3000:]
