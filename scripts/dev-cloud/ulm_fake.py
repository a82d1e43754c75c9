"""ulm_fake.py - nova fake virt driver with a configurable host size.

Default driver of ulm's dev cloud (ULM_OS_COMPUTE_DRIVER=ulm_fake.UlmFakeDriver; up appends this directory to
nova.virt.__path__ in the nova-compute launcher, so nova finds it as nova.virt.ulm_fake).
Size comes from the environment of each nova-compute process, set by up from
  ULM_FAKE_VCPUS (16), ULM_FAKE_RAM_MB (32768), ULM_FAKE_DISK_GB (1000)
or per host from ULM_OS_HOST_SIZES="cmp-01=32:131072:2000,cmp-02=8:16384:500".
Everything else behaves exactly like nova.virt.fake.MediumFakeDriver.
"""
import os

from nova.virt import fake


class UlmFakeDriver(fake.MediumFakeDriver):
    def __init__(self, virtapi, read_only=False):
        self.vcpus = int(os.environ.get('ULM_FAKE_VCPUS', '16'))
        self.memory_mb = int(os.environ.get('ULM_FAKE_RAM_MB', '32768'))
        self.local_gb = int(os.environ.get('ULM_FAKE_DISK_GB', '1000'))
        super().__init__(virtapi, read_only)
