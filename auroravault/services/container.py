"""The services of one app instance, built from settings and adapters, wired together."""

from __future__ import annotations

from dataclasses import dataclass

from auroravault.bus import build_bus
from auroravault.bus.consumer import EventsConsumer
from auroravault.bus.events import Bus
from auroravault.bus.wiring import Publishers, subscribe_defaults
from auroravault.config import Settings, signing_secret
from auroravault.executors import Executors
from auroravault.faces import load_model
from auroravault.faces.jobs import DETECT_FACES, RECLUSTER_PEOPLE, FaceJobs
from auroravault.jobs.backend import build_runner
from auroravault.jobs.queue import JobQueue
from auroravault.jobs.runner import Handler, JobRunner
from auroravault.mail import build_mailer
from auroravault.mail.base import Mailer
from auroravault.meta.base import MetaStore
from auroravault.services.accounts import AccountService
from auroravault.services.admin import AdminService
from auroravault.services.albums import AlbumService
from auroravault.services.deletion import DELETE_PHOTO, DeletionService
from auroravault.services.families import INVITE_TEMPLATE, FamilyService
from auroravault.services.library import LibraryService
from auroravault.services.links import LinkService
from auroravault.services.map import MapService
from auroravault.services.memories import MemoryService
from auroravault.services.notifications import SEND_EMAIL, NotificationService
from auroravault.services.people import PeopleService
from auroravault.services.photos import PhotoService
from auroravault.services.places_backfill import PLACES_BACKFILL, PLACES_BACKFILL_VAULTS, PlacesBackfill
from auroravault.services.processing import MAKE_PREVIEW, PROCESS_PHOTO, ProcessingService
from auroravault.services.public import PublicService
from auroravault.services.quarantine import QuarantineService
from auroravault.services.readiness import ReadinessService
from auroravault.services.search import SearchService
from auroravault.services.sharing import SharingService
from auroravault.services.sharing_mail import ALBUM_DIGEST, SharingMail
from auroravault.services.similar import SimilarService
from auroravault.services.sweep import SweepService
from auroravault.services.sync import SyncService
from auroravault.services.trips import EventService
from auroravault.services.uploads import UploadService
from auroravault.services.users_admin import UsersAdminService
from auroravault.storage.base import BlobStore


@dataclass
class Services:
    settings: Settings
    meta: MetaStore
    blobs: BlobStore
    mailer: Mailer
    queue: JobQueue
    accounts: AccountService
    uploads: UploadService
    photos: PhotoService
    processing: ProcessingService
    sweep: SweepService
    notifications: NotificationService
    admin: AdminService
    runner: JobRunner
    quarantine: QuarantineService
    executors: Executors
    library: LibraryService
    deletion: DeletionService
    sync: SyncService
    readiness: ReadinessService
    search: SearchService
    map: MapService
    memories: MemoryService
    trips: EventService  # events and trips found in the library (services/trips.py)
    similar: SimilarService
    places_backfill: PlacesBackfill
    albums: AlbumService
    families: FamilyService
    users_admin: UsersAdminService
    sharing: SharingService
    links: LinkService
    public: PublicService
    bus: Bus
    events: EventsConsumer | None  # the events queue's consumer, when bus.events_queue_url is set
    people: PeopleService
    face_jobs: FaceJobs

    @classmethod
    def build(
        cls,
        settings: Settings,
        meta: MetaStore,
        blobs: BlobStore,
        mailer: Mailer | None = None,
        executors: Executors | None = None,
    ) -> Services:
        """Wire the services; ``executors`` (the app's thread pools) are made from settings when not given."""
        executors = executors or Executors.from_settings(settings.workers)
        mailer = mailer or build_mailer(settings)
        queue = JobQueue(meta, settings.jobs)
        notifications = NotificationService(meta, mailer, queue, settings)
        families = FamilyService(meta, queue, settings)
        notifications.renderers[INVITE_TEMPLATE] = families.invite_email

        processing = ProcessingService(meta, blobs, settings, queue, disk=executors.disk, hashing=executors.hashing)
        uploads = UploadService(
            meta, blobs, settings, arrival_job=processing.arrival_job, on_queued=queue.queued, room=families.room
        )
        sweep = SweepService(meta, blobs, uploads, settings, repair=processing.repair, clean_work=processing.clean_work)
        deletion = DeletionService(meta, blobs, queue, settings)
        library = LibraryService(meta, deletion)
        places_backfill = PlacesBackfill(meta, queue, cpu=executors.hashing)
        photos = PhotoService(meta, blobs, settings)
        sharing_mail = SharingMail(meta, queue)
        uploads.on_album_photos = sharing_mail.photos_added
        albums = AlbumService(meta, blobs, settings, photos)
        albums.on_album_photos = sharing_mail.photos_added
        # People (issue 18): off, with a plain message, where the faces extra is not installed.
        people = PeopleService(meta, load_model() if settings.faces.enabled else None, processing.pool, settings.faces)
        people.photos = photos
        photos.people = people
        face_jobs = FaceJobs(people, blobs, queue, settings.work_path)
        processing.on_preview.append(face_jobs.photo_ready)
        handlers: dict[str, Handler] = {
            PROCESS_PHOTO: processing.handle,
            MAKE_PREVIEW: processing.handle_preview,
            SEND_EMAIL: notifications.handle,
            DELETE_PHOTO: deletion.handle,
            PLACES_BACKFILL: places_backfill.handle,
            PLACES_BACKFILL_VAULTS: places_backfill.handle_vaults,
            ALBUM_DIGEST: sharing_mail.handle_digest,
            DETECT_FACES: face_jobs.handle,
            RECLUSTER_PEOPLE: face_jobs.handle_recluster,
        }
        runner, job_view = build_runner(settings, meta, handlers)  # [jobs] backend: meta rows or SQS
        runner.hooks(PROCESS_PHOTO, on_dead=processing.job_died, before_retry=processing.job_retried)
        runner.every("pending_sweep", settings.jobs.sweep_seconds, sweep.sweep_pending)
        runner.daily("housekeeping", sweep.housekeeping)
        runner.daily("trash_expiry", deletion.expire_trash, hour=2)
        sync = SyncService(meta, settings)
        runner.daily("feed_pruning", sync.prune, hour=2)
        queue.on_enqueue(runner.wake)
        # Domain events and S3 notifications (auroravault/bus, docs/bus.md).
        bus = build_bus(settings)
        subscribe_defaults(bus, queue)
        publish = Publishers(bus)
        processing.on_ready, deletion.on_deleted, families.on_joined = (
            publish.photo_ready,
            publish.photo_deleted,
            publish.family_joined,
        )
        events = EventsConsumer(settings, uploads, bus) if settings.bus.events_queue_url else None
        if events is not None:
            runner.every("events_queue", 1.0, events.poll_guarded)
        services = cls(
            settings=settings,
            meta=meta,
            blobs=blobs,
            mailer=mailer,
            queue=queue,
            accounts=AccountService(
                meta,
                settings,
                on_user_created=publish.user_registered,
                on_reset_requested=notifications.password_reset_requested,
                on_login=places_backfill.user_logged_in,
            ),
            uploads=uploads,
            photos=photos,
            processing=processing,
            sweep=sweep,
            notifications=notifications,
            admin=AdminService(job_view, before_retry=runner.before_retry, after_retry=runner.wake),
            runner=runner,
            quarantine=QuarantineService(
                meta, blobs, uploads, settings, disk=executors.disk, hashing=executors.hashing
            ),
            executors=executors,
            library=library,
            deletion=deletion,
            sync=sync,
            readiness=ReadinessService(meta, blobs),
            search=SearchService(meta, blobs, settings, people),
            map=MapService(meta),
            memories=MemoryService(meta),
            trips=EventService(meta, albums),
            similar=SimilarService(meta, blobs, executors.hashing),
            places_backfill=places_backfill,
            families=families,
            users_admin=UsersAdminService(meta),
            albums=albums,
            sharing=SharingService(meta, on_member_added=publish.album_shared(sharing_mail.member_added)),
            links=LinkService(meta, settings, executors.passwords),
            public=PublicService(meta, blobs, settings, signing_secret(settings), uploads, executors.passwords),
            bus=bus,
            events=events,
            people=people,
            face_jobs=face_jobs,
        )
        services.accounts.passwords = executors.passwords  # argon2 runs in its own bounded pool
        services.accounts.invites = families  # an invitation lets its holder register and join
        return services

    async def close(self) -> None:
        """Release every adapter, then stop the thread pools (the runner is stopped before)."""
        try:
            self.processing.close()
            if self.events is not None:
                await self.events.close()
            await self.bus.close()
            await self.mailer.close()
            await self.blobs.close()
            await self.meta.close()
        finally:
            self.executors.shutdown()
